import { readFileSync } from 'node:fs';
import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { hydrated, signInTrio } from '../pages/sign-in-page';

async function openUsage(page: import('@playwright/test').Page, prefix = '/de') {
  await signInTrio(page, prefix);
  await page.getByRole('link', { name: 'Verbrauch', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Verbrauch');
  await expect(page.getByTestId('usage-rows')).toBeVisible();
}

test('the usage filter narrows rows and totals (U1, U2)', async ({ page }) => {
  await openUsage(page);
  const totals = page.getByTestId('usage-totals').locator('li');
  await expect(totals).toHaveCount(4);
  await expect(page.getByTestId('usage-page')).toContainText('Seite 1 von');
  expect(await seriousViolations(page)).toEqual([]);

  await page.locator('#usage-kind').selectOption('sms');
  await page.locator('#usage-contract').selectOption('100001-04');
  await page.getByTestId('usage-apply').click();
  await expect(page).toHaveURL(/kind=sms/);
  await expect(totals).toHaveCount(1);
  await expect(totals.first()).toContainText('SMS');
  const rows = page.getByTestId('usage-rows').locator('tbody tr');
  await expect(rows.first()).toHaveAttribute('data-kind', 'sms');
  expect(await rows.evaluateAll((trs) => trs.every((tr) => tr.getAttribute('data-kind') === 'sms'))).toBe(true);
  // The filter keeps what was chosen, and the chart has a table alternative.
  await expect(page.locator('#usage-kind')).toHaveValue('sms');
  await page.getByText('Verbrauch pro Tag als Tabelle').click();
  await expect(page.getByTestId('usage-daily').locator('tbody tr').first()).toBeVisible();

  // A custom period with the dates the wrong way round is explained and kept.
  await page.locator('#usage-period').selectOption('custom');
  await page.locator('#usage-from').fill('2026-11-20');
  await page.locator('#usage-to').fill('2026-11-10');
  await page.getByTestId('usage-apply').click();
  await expect(page.locator('#usage-to-error')).toHaveText(
    'Das Enddatum darf nicht vor dem Startdatum liegen.',
  );
  await expect(page.locator('#usage-from')).toHaveValue('2026-11-20');
});

test('the CSV export matches the rows on screen (U2)', async ({ page }, testInfo) => {
  await openUsage(page);
  await page.locator('#usage-kind').selectOption('call');
  await page.locator('#usage-period').selectOption('last');
  await page.getByTestId('usage-apply').click();
  await expect(page).toHaveURL(/kind=call/);
  const rows = page.getByTestId('usage-rows').locator('tbody tr');
  await expect(rows.first()).toHaveAttribute('data-kind', 'call');
  const onScreen = await rows.locator('td:first-child time').evaluateAll((els) =>
    els.map((el) => el.getAttribute('datetime') ?? ''),
  );
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('usage-csv').click()]);
  const file = testInfo.outputPath('usage.csv');
  await download.saveAs(file);
  const lines = readFileSync(file, 'utf8').trim().split('\r\n');
  expect(lines[0]).toContain('started_at,contract');
  // The first page on screen is the start of the export, in the same order.
  const exported = lines.slice(1, onScreen.length + 1).map((l) => l.slice(0, 16));
  expect(exported).toEqual(onScreen);
  const total = Number(((await page.getByTestId('usage-totals').locator('.total-note').first().textContent()) ?? '').split(' ')[0]);
  expect(lines.length - 1).toBe(total);
});

test('an invoice shows the consumption billed on it (I3)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await page.goto('/fr/invoices');
  await hydrated(page);
  const first = page.getByTestId('invoices').locator('tbody tr').first();
  const number = ((await first.locator('.invoice-number').textContent()) ?? '').trim();
  await first.getByTestId('invoice-usage').click();
  await expect(page.getByTestId('invoice-usage-number')).toContainText(number);
  await expect(page.getByTestId('usage-totals')).toContainText('Numéros spéciaux');
  await expect(page.getByTestId('usage-totals')).toContainText('4,92');
  expect(await seriousViolations(page)).toEqual([]);
});
