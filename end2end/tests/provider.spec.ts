import { expect, test } from '../fixtures';
import { apiKey } from '../db';
import { signInTrio } from '../pages/sign-in-page';

/**
 * The provider API (issue 28): a key made by the server binary, usage records pushed as NDJSON
 * over HTTP, and the customer sees them in the Usage tab (desktop, phone, without JavaScript).
 */
test('usage pushed through the provider API reaches the Usage tab', async ({ page, request }, testInfo) => {
  const key = apiKey(testInfo, 'usage');
  // A day of an old cycle that no other test looks at; ids unique to this project's database.
  const day = '2026-09-10';
  const run = `${testInfo.project.name}-${Date.now()}`;
  const lines = [1, 2, 3].map((n) =>
    JSON.stringify({
      id: `${run}-${n}`,
      contract: '100001-04',
      type: 'mms',
      started_at: `${day}T1${n}:05:00`,
      quantity: '1',
      destination: `+32 2 555 01 0${n}`,
    }),
  );
  const push = (body: string, headers: Record<string, string> = {}) =>
    request.post('/provider/v1/usage', {
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson', ...headers },
      data: body,
    });

  const first = await push(lines.join('\n'), { 'idempotency-key': run });
  expect(first.status()).toBe(200);
  expect(await first.json()).toEqual({ received: 3, stored: 3, duplicates: 0 });
  // Sent again without the key: counted as duplicates, not stored twice.
  const again = await push(lines.join('\n'));
  expect(await again.json()).toEqual({ received: 3, stored: 0, duplicates: 3 });
  // A bad line is a problem document naming it; nothing of that batch is stored.
  const refused = await push(`${lines[0]}\n{"id":"x"}`);
  expect(refused.status()).toBe(422);
  expect(refused.headers()['content-type']).toBe('application/problem+json');
  expect((await refused.json()).errors[0].line).toBe(2);

  await signInTrio(page, '/de');
  await page.goto(`/de/usage?period=custom&from=${day}&to=${day}&kind=mms&contract=100001-04`);
  const rows = page.getByTestId('usage-rows').locator('tbody tr');
  for (const n of [1, 2, 3]) {
    await expect(rows.filter({ hasText: `+32 2 555 01 0${n}` })).toHaveCount(1);
  }
  await expect(rows.first()).toHaveAttribute('data-kind', 'mms');
  await expect(page.getByTestId('usage-totals').locator('li')).toHaveCount(1);
});
