import { createHmac, timingSafeEqual } from 'node:crypto';
import { expect, test } from '../fixtures';
import { apiKey } from '../db';
import { HomeProducts } from '../pages/home-page';
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

/** The signing secret the portals under test share with the webhook receiver (playwright.config.ts). */
const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789abcdef0123';

test('an option switched on Home reaches the provider as a signed webhook', async ({ page }, testInfo) => {
  await signInTrio(page, '');
  const home = new HomeProducts(page);
  await home.expectLoaded();
  const barring = home.option('100001-03', 'FIX-BARRING');
  const toggle = barring.locator('summary');
  const activating = (await toggle.textContent())?.startsWith('Activate') ?? true;
  await toggle.click();
  const panel = barring.locator('.confirm-panel');
  await panel.getByRole('button', { name: activating ? 'Confirm activation' : 'Confirm deactivation' }).click();
  await expect(barring.getByTestId('option-state')).toHaveText(activating ? 'Active' : 'Not active');

  // The portal delivers within a few seconds; the receiver keeps what it got.
  const sink = `http://127.0.0.1:${process.env.WEBHOOK_SINK_PORT ?? '2527'}/received?project=${testInfo.project.name}`;
  let delivery: { headers: Record<string, string>; body: string } | undefined;
  await expect
    .poll(
      async () => {
        const all: { headers: Record<string, string>; body: string }[] = await (await fetch(sink)).json();
        delivery = all.reverse().find((d) => {
          const event = JSON.parse(d.body);
          return event.type === 'option.switched' && event.data.option === 'FIX-BARRING';
        });
        return delivery !== undefined;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  const event = JSON.parse(delivery!.body);
  expect(event.customer).toBe('100001');
  expect(event.data.contract).toBe('100001-03');
  expect(event.data.active).toBe(activating);
  expect(delivery!.headers['selfcare-event-id']).toBe(event.id);
  // Selfcare-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivery!.headers['selfcare-signature']);
  expect(match).not.toBeNull();
  const [, t, v1] = match!;
  const expected = createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${delivery!.body}`).digest('hex');
  expect(timingSafeEqual(Buffer.from(v1, 'hex'), Buffer.from(expected, 'hex'))).toBe(true);
  expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);
});
