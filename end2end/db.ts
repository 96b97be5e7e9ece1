import { execFileSync } from 'node:child_process';
import type { TestInfo } from '@playwright/test';

/**
 * Reads from the project's own database (scripts/test creates one per Playwright project), for
 * what a test cannot see in the browser: the SMS a phone would receive.
 */
function query(testInfo: TestInfo, sql: string, ...params: string[]): string {
  const base = process.env.E2E_DATABASE_BASE;
  if (!base) throw new Error('E2E_DATABASE_BASE is not set: run the tests through scripts/test');
  const args = ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1'];
  params.forEach((value, i) => args.push('-v', `p${i + 1}=${value}`));
  args.push(`${base}/selfcare_e2e_${testInfo.project.name}`);
  return execFileSync(process.env.PSQL ?? 'psql', args, { input: sql, encoding: 'utf8' }).trim();
}

/**
 * The newest linking code delivered (by the development SMS delivery) to the inbox of the
 * customer `customerNumber`, newer than message id `after`; waits for the outbox worker.
 */
export async function smsCode(testInfo: TestInfo, customerNumber: string, after: number): Promise<string> {
  const sql = `SELECT m.body FROM messages m JOIN customers c ON c.id = m.customer_id
     WHERE c.customer_number = :'p1' AND m.kind = 'linking_code' AND m.id > :'p2'::bigint
     ORDER BY m.id DESC LIMIT 1`;
  for (let i = 0; i < 50; i++) {
    const body = query(testInfo, sql, customerNumber, String(after));
    if (body) return body.split(/\s+/)[0];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no linking code reached the inbox of ${customerNumber}`);
}

/** The highest message id so far, to tell new messages from old ones. */
export function lastMessageId(testInfo: TestInfo): number {
  return Number(query(testInfo, 'SELECT coalesce(max(id), 0) FROM messages') || '0');
}

/** Runs SQL on the project's database (test setup the portal has no screen for: usage arriving). */
export function execute(testInfo: TestInfo, sql: string, ...params: string[]): string {
  return query(testInfo, sql, ...params);
}

/** Runs a command of the server binary on the project's database (as the portal under test, with the demo's data key). */
function serverCommand(testInfo: TestInfo, args: string[]): string {
  const base = process.env.E2E_DATABASE_BASE;
  const bin = process.env.SERVER_BIN;
  if (!base || !bin) throw new Error('SERVER_BIN and E2E_DATABASE_BASE are not set: run the tests through scripts/test');
  return execFileSync(bin, args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      DATABASE_URL: `${base}/selfcare_e2e_${testInfo.project.name}`,
      SELFCARE_DEMO_DATA: 'true',
      SELFCARE_LOG: 'warn',
    },
  });
}

/** Runs the server binary's billing run for `day` on the project's database (B7). */
export function billingRun(testInfo: TestInfo, day: string): string {
  return serverCommand(testInfo, ['billing-run', '--date', day]);
}

/** Makes a provider API key with `scopes` (comma-separated) by the server binary (issue 28). */
export function apiKey(testInfo: TestInfo, scopes: string): string {
  const name = `e2e ${testInfo.title}`.slice(0, 100);
  const out = serverCommand(testInfo, ['api-key', 'create', '--name', name, '--scopes', scopes]);
  const key = out.split('\n').find((line) => line.startsWith('sck_'));
  if (!key) throw new Error(`no key in the output of api-key create: ${out}`);
  return key.trim();
}
