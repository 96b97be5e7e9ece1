import { execFileSync } from 'node:child_process';
import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { LinkingPage, MOBILE } from '../pages/linking-page';
import { hydrated, signInTrio } from '../pages/sign-in-page';

test('the holder sees the last 12 invoices, newest first, with the credit note (I1)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await page.getByRole('link', { name: 'Factures' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Factures & paiements');

  const rows = page.getByTestId('invoices').locator('tbody tr');
  await expect(rows).toHaveCount(12);
  const dates = await rows.locator('td:first-of-type time').evaluateAll((els) =>
    els.map((el) => el.getAttribute('datetime') ?? ''),
  );
  expect(dates).toEqual([...dates].sort().reverse());

  const credit = page.locator('tr[data-kind="credit_note"]');
  await expect(credit).toHaveCount(1);
  await expect(credit).toContainText('Note de crédit · corrige');
  // A credit note lowers what is owed.
  await expect(credit.locator('td.num')).toHaveText('-12,40\u00a0€');
  const corrected = (await credit.getByTestId('corrects').textContent()) ?? '';
  await expect(page.getByTestId(`invoice-${corrected}`)).toHaveAttribute('data-kind', 'invoice');
  await expect(rows.first().locator('.badge')).toHaveText('Ouverte');
  expect(await seriousViolations(page)).toEqual([]);
});

test('a downloaded PDF contains the invoice number and total (I2)', async ({ page }, testInfo) => {
  await signInTrio(page, '/de');
  await page.goto('/de/invoices');
  await hydrated(page);
  const first = page.getByTestId('invoices').locator('tbody tr').first();
  const number = ((await first.locator('.invoice-number').textContent()) ?? '').trim();
  const total = ((await first.locator('td.num').textContent()) ?? '').replace(/\u00a0/g, ' ');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    first.getByTestId('invoice-pdf').click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${number}.pdf`);
  const file = testInfo.outputPath('invoice.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  expect(text).toContain('Rechnung');
  expect(text).toContain(number);
  expect(text).toContain(`Gesamt inkl. MwSt.`);
  expect(text).toContain(total);
});

test('a user link has no invoices, also when typing the address (L2)', async ({ page }) => {
  const linking = new LinkingPage(page);
  await linking.openAs(MOBILE.max, '/de');
  await expect(page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Rechnungen' })).toHaveCount(0);
  const response = await page.goto('/de/invoices');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('alert')).toHaveText(
    'Diese Seite gibt es nicht oder sie ist für Sie nicht verfügbar.',
  );
  await expect(page.getByTestId('invoices')).toHaveCount(0);
});

test('an invalid IBAN is refused with a message, a valid one creates a mandate (I4)', async ({ page }) => {
  await signInTrio(page, '/nl');
  await page.goto('/nl/invoices');
  await hydrated(page);
  const section = page.getByTestId('payment-section');
  await section.locator('#sepa-holder').fill('Claire Dubois');
  await section.locator('#sepa-iban').fill('BE68 5390 0754 7035');
  await section.locator('#sepa-consent').check();
  await section.getByTestId('activate-sepa').click();
  await expect(section.locator('#sepa-iban-error')).toContainText('Deze IBAN bevat een tikfout');
  await expect(section.locator('#sepa-iban')).toHaveValue('BE68 5390 0754 7035');
  await expect(section.locator('#sepa-holder')).toHaveValue('Claire Dubois');
  expect(await seriousViolations(page)).toEqual([]);
  // Nothing sticks out sideways on a phone (hidden link texts stay inside the table's scroller).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // Step-up (issue 9): the password is asked again; a wrong one keeps what was typed.
  await section.locator('#sepa-iban').fill('BE68 5390 0754 7034');
  await section.locator('#sepa-current-password').fill('not-my-password');
  await section.getByTestId('activate-sepa').click();
  await expect(section.locator('#sepa-current-password-error')).toContainText('Het huidige wachtwoord klopt niet');
  await expect(section.locator('#sepa-iban')).toHaveValue('BE68 5390 0754 7034');
  await section.locator('#sepa-current-password').fill('Trio-demo-2024');
  await section.getByTestId('activate-sepa').click();
  await expect(section.getByTestId('mandate-iban')).toHaveText('BE68 •••• •••• 7034');
  await expect(section.getByTestId('mandate-reference')).toHaveText(/^LUMEN-100001-\d{3}$/);
  await expect(section).toContainText('Schuldeiser-ID');

  await section.getByTestId('revoke-sepa').click();
  await expect(section.locator('#sepa-iban')).toBeVisible();
});

test('a PDF asked for in English has its lines in English, whatever the household language (I2, P4)', async ({
  page,
}, testInfo) => {
  await signInTrio(page);
  await page.goto('/invoices');
  await hydrated(page);
  const first = page.getByTestId('invoices').locator('tbody tr').first();
  const [download] = await Promise.all([page.waitForEvent('download'), first.getByTestId('invoice-pdf').click()]);
  const file = testInfo.outputPath('invoice-en.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  expect(text).toContain('Sport bouquet');
  expect(text).toContain('Calls outside the bundle');
  expect(text).not.toContain('Bouquet Sport');
  expect(text).not.toContain('Appels hors forfait');
});
