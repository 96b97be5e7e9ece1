import { createHmac, timingSafeEqual } from 'node:crypto';
import { expect, test } from '../fixtures';
import { apiKey } from '../db';
import { HomeProducts } from '../pages/home-page';
import { registerAndOpenLinks } from '../pages/linking-page';
import { hydrated, signInTrio } from '../pages/sign-in-page';

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

type Event = { id: string; type: string; customer: string; data: Record<string, unknown> };

/**
 * Waits for the webhook receiver (end2end/webhook-sink.cjs) to hold an event of `project`'s
 * portal that `wanted` picks, checks its signature as a provider would, and returns it.
 */
async function signedEvent(project: string, wanted: (event: Event) => boolean): Promise<Event> {
  // The portal delivers within a few seconds; the receiver keeps what it got.
  const sink = `http://127.0.0.1:${process.env.WEBHOOK_SINK_PORT ?? '2527'}/received?project=${project}`;
  let delivery: { headers: Record<string, string>; body: string } | undefined;
  await expect
    .poll(
      async () => {
        const all: { headers: Record<string, string>; body: string }[] = await (await fetch(sink)).json();
        delivery = all.reverse().find((d) => wanted(JSON.parse(d.body)));
        return delivery !== undefined;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  const event: Event = JSON.parse(delivery!.body);
  expect(delivery!.headers['selfcare-event-id']).toBe(event.id);
  // Selfcare-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivery!.headers['selfcare-signature']);
  expect(match).not.toBeNull();
  const [, t, v1] = match!;
  const expected = createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${delivery!.body}`).digest('hex');
  expect(timingSafeEqual(Buffer.from(v1, 'hex'), Buffer.from(expected, 'hex'))).toBe(true);
  expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);
  return event;
}

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

  const event = await signedEvent(testInfo.project.name, (e) => e.type === 'option.switched' && e.data.option === 'FIX-BARRING');
  expect(event.customer).toBe('100001');
  expect(event.data.contract).toBe('100001-03');
  expect(event.data.active).toBe(activating);
});

/**
 * Issue 28 item 6, the whole loop: the provider pushes a new household (catalogue, customer
 * with its contract password, contract, invoice) through the API; its holder registers, links
 * the number in the browser, sees the invoice, switches the option on; the provider receives
 * the signed event, records the payment, and the holder sees the invoice paid.
 */
test('a household pushed through the API is linked in the browser and its option switch comes back signed', async ({ page, request }, testInfo) => {
  const key = apiKey(testInfo, 'write');
  const stamp = String(Date.now()).slice(-7);
  const number = `8${stamp}`;
  const contract = `${number}-01`;
  const invoice = `E2E-${stamp}`;
  const email = `api-${testInfo.project.name}-${stamp}@example.be`;
  // 201 when created; the catalogue is 200 "unchanged" when a retry sends it again.
  const put = async (path: string, data: unknown, statuses = [201]) => {
    const answer = await request.put(`/provider/v1${path}`, {
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      data: JSON.stringify(data),
    });
    expect(statuses, `${path}: ${answer.status()} ${await answer.text()}`).toContain(answer.status());
  };
  const tariff = { service: 'mobile', name: 'Mobile Start', monthly_price: '9.00', data_allowance_mb: 3000 };
  await put('/tariffs/E2E-MOB', tariff, [200, 201]);
  const names = { de: 'Roaming Welt', fr: 'Roaming monde', nl: 'Roaming wereld', en: 'World roaming' };
  await put('/options/E2E-ROAM', { service: 'mobile', names, monthly_price: '3.50' }, [200, 201]);
  await put(`/customers/${number}`, {
    segment: 'private', country: 'BE', language: 'en', first_name: 'Ines', last_name: 'Peeters',
    email, street: 'Veldstraat 3', postal_code: '9000', city: 'Gent', contract_password: `Peeters-${number}`,
  });
  await put(`/contracts/${contract}`, {
    customer: number, service: 'mobile', phone_number: '+32 470 55 44 33', tariff: 'E2E-MOB',
    status: 'active', start_date: '2026-10-01', options: [],
  });
  await put(`/invoices/${invoice}`, {
    customer: number, issue_date: '2026-11-01', due_date: '2026-11-30',
    period_start: '2026-11-01', period_end: '2026-11-30',
    lines: [{ kind: 'recurring', description: 'Mobile Start', contract, amount: '9.00', vat_rate: '21' }],
  });

  const linking = await registerAndOpenLinks(page, email);
  await linking.linkAsHolder(number, `Peeters-${number}`);
  await expect(linking.link('holder', number)).toBeVisible();

  await page.goto('/');
  await hydrated(page);
  const home = new HomeProducts(page);
  await home.expectLoaded();
  await expect(home.card(contract)).toContainText('Mobile Start');
  const roaming = home.option(contract, 'E2E-ROAM');
  await expect(roaming).toContainText('World roaming');
  await roaming.locator('summary').click();
  await roaming.locator('.confirm-panel').getByRole('button', { name: 'Confirm activation' }).click();
  await expect(roaming.getByTestId('option-state')).toHaveText('Active');

  const event = await signedEvent(testInfo.project.name, (e) => e.type === 'option.switched' && e.customer === number);
  expect(event.data.contract).toBe(contract);
  expect(event.data.option).toBe('E2E-ROAM');
  expect(event.data.active).toBe(true);

  await page.goto('/invoices');
  const row = page.getByTestId(`invoice-${invoice}`);
  await expect(row.locator('td.num')).toHaveText('€9.00');
  await expect(row.locator('.badge')).toHaveText('Open');
  await put(`/invoices/${invoice}/payments/pay-${stamp}`, { amount: '9.00', paid_on: '2026-11-20', method: 'transfer' });
  await page.reload();
  await expect(row.locator('.badge')).toHaveText('Paid');
});
