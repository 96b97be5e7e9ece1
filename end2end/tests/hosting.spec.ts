import { execFileSync } from 'node:child_process';
import { horizontalOverflow, seriousViolations } from '../axe';
import { execute } from '../db';
import { expect, test } from '../fixtures';
import { hydrated, SignInPage } from '../pages/sign-in-page';
import type { Page } from '@playwright/test';

// The hosting household of the demo (server/src/demo/hosting.rs): a VPS with 183 of its 366
// term days left on the pinned day 2026-11-22, and a web hosting tariff without upgrades.
const HANNAH = 'hannah.vogel@example.de';
const PASSWORD = 'Hosting-demo-2024';

async function signIn(page: Page) {
  const signIn = new SignInPage(page);
  await signIn.open('/de');
  await hydrated(page);
  await signIn.signIn(HANNAH, PASSWORD);
  await expect(page.getByTestId('sign-out')).toBeVisible();
}

async function openOptions(page: Page, hostname: string) {
  await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Dienste' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meine Dienste');
  await page.getByRole('link', { name: hostname }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(hostname);
  await page.getByRole('navigation', { name: 'Dienstmenü' }).getByRole('link', { name: 'Optionen erweitern/reduzieren' }).click();
  await hydrated(page);
}

test('the seed example end to end: RAM 2 → 8 GB costs 50,00 € net, invoiced once with its lines (X1–X4)', async ({
  page,
}, testInfo) => {
  await signIn(page);
  await openOptions(page, 'vps-4711.lumen-hosting.example');
  const ram = page.locator('[data-testid="option-row"][data-code="ram"]');
  await expect(ram.getByTestId('current-value')).toHaveText('2 GB');
  await expect(page.getByLabel('Arbeitsspeicher')).toHaveValue('2');
  expect(await seriousViolations(page)).toEqual([]);

  // The browser shows the figures at once; the server recomputes them on "Weiter".
  await page.getByLabel('Arbeitsspeicher').selectOption('8');
  await expect(page.getByTestId('instant-estimate')).toContainText('50,00\u00a0€');
  await page.getByTestId('continue').click();
  const surcharge = page.getByTestId('surcharge');
  await expect(surcharge.getByTestId('days')).toHaveText('183 von 366');
  await expect(surcharge.getByTestId('charge')).toHaveText('100,00\u00a0€');
  await expect(surcharge.getByTestId('credit')).toHaveText('-50,00\u00a0€');
  await expect(surcharge.getByTestId('net')).toHaveText('50,00\u00a0€');
  expect(await seriousViolations(page)).toEqual([]);

  // A double click confirms once.
  await surcharge.getByTestId('confirm-upgrade').dblclick();
  const number = (await page.getByTestId('upgrade-invoice').textContent())?.trim() ?? '';
  expect(number).toMatch(/^2026-\d{6}$/);
  await expect(ram.getByTestId('current-value')).toHaveText('8 GB');
  expect(
    execute(testInfo, `SELECT count(*) FROM hosting_changes WHERE status = 'applied'`),
  ).toBe('1');

  // Charged to the stored card at once, as the term was (issue 28 item 5).
  await expect(page.getByTestId('upgrade-payment')).toHaveText('Von Ihrer Karte abgebucht.');

  await page.goto('/de/invoices');
  await hydrated(page);
  const row = page.getByTestId(`invoice-${number}`);
  await expect(row.locator('td.num')).toHaveText('50,00\u00a0€');
  await expect(row.locator('.badge')).toHaveText('Bezahlt');
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('invoice-pdf').click()]);
  const file = testInfo.outputPath('upgrade.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  expect(text).toContain(number);
  expect(text).toMatch(/Neue Konfiguration für die Restlaufzeit .*\(183\/366\)\s+.*100,00/);
  expect(text).toMatch(/Gutschrift für die bisherige Konfiguration .*\(183\/366\)\s+.*-50,00/);
});

test('a downgrade is refused during the term, scheduled for the renewal and withdrawn (X3)', async ({ page }) => {
  await signIn(page);
  await openOptions(page, 'vps-4711.lumen-hosting.example');
  await page.getByLabel('Prozessorkerne').selectOption('1');
  await expect(page.getByTestId('instant-estimate')).toContainText('während der Laufzeit nicht möglich');
  await page.getByTestId('continue').click();
  const refused = page.getByTestId('downgrade-refused');
  await expect(refused.locator('time')).toHaveAttribute('datetime', '2027-05-24');
  await refused.getByTestId('schedule-downgrade').click();
  await expect(page.getByTestId('downgrade-scheduled')).toBeVisible();

  await page.getByRole('navigation', { name: 'Dienstmenü' }).getByRole('link', { name: 'Übersicht' }).click();
  const scheduled = page.getByTestId('scheduled-change');
  await expect(scheduled).toContainText('Prozessorkerne: 2 vCPU → 1 vCPU');
  await scheduled.getByTestId('withdraw-downgrade').click();
  await expect(page.getByTestId('scheduled-change')).toHaveCount(0);
});

test('a tariff without upgrades says so and points to sales, also at 360 px (X3, P6)', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await signIn(page);
  await openOptions(page, 'www.vogel-keramik.example');
  const box = page.getByTestId('not-upgradable');
  await expect(box).toContainText('können hier nicht erweitert werden');
  await expect(box.getByRole('link', { name: 'Vertrieb kontaktieren' })).toHaveAttribute(
    'href',
    'https://www.lumen.example/sales',
  );
  for (const path of [page.url(), '/de/services']) {
    await page.goto(path);
    await hydrated(page);
    const overflow = await horizontalOverflow(page);
    expect(overflow, path).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page), path).toEqual([]);
  }
  await context.close();
});

test('"Continue" without a change asks for one (X1)', async ({ page }) => {
  await signIn(page);
  await openOptions(page, 'vps-4711.lumen-hosting.example');
  await page.getByTestId('continue').click();
  await expect(page.getByTestId('form-error')).toHaveText('Bitte ändern Sie mindestens eine Option.');
  await expect(page.getByTestId('surcharge')).toHaveCount(0);
});

test('a quote confirmed in another tab first is stale here: said so, and quoted afresh (X4)', async ({ page }) => {
  await signIn(page);
  await openOptions(page, 'vps-4711.lumen-hosting.example');
  const other = await page.context().newPage();
  await other.goto(page.url());
  await hydrated(other);
  // Tab B quotes 200 GB of disk; tab A quotes and confirms 100 GB first.
  await other.getByLabel('SSD-Speicher').selectOption('200');
  await other.getByTestId('continue').click();
  await expect(other.getByTestId('surcharge')).toBeVisible();
  const net = await other.getByTestId('surcharge').getByTestId('net').textContent();
  await page.getByLabel('SSD-Speicher').selectOption('100');
  await page.getByTestId('continue').click();
  await page.getByTestId('surcharge').getByTestId('confirm-upgrade').click();
  await expect(page.getByTestId('upgrade-invoice')).toBeVisible();

  await other.getByTestId('surcharge').getByTestId('confirm-upgrade').click();
  await expect(other.getByTestId('stale-quote')).toContainText('inzwischen geändert');
  const fresh = other.getByTestId('surcharge');
  await expect(fresh).toBeVisible();
  await expect(fresh.getByTestId('net')).not.toHaveText(net ?? '');
  await expect(other.getByLabel('SSD-Speicher')).toHaveValue('200');
  await expect(other.locator('[data-testid="option-row"][data-code="disk"]').getByTestId('current-value')).toHaveText('100 GB');
  await other.close();
});
