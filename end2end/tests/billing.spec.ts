import { execFileSync } from 'node:child_process';
import { horizontalOverflow, seriousViolations } from '../axe';
import { billingRun, execute } from '../db';
import { expect, test } from '../fixtures';
import { hydrated, SignInPage } from '../pages/sign-in-page';
import type { Page } from '@playwright/test';

// The satellite subscribers of the demo (server/src/demo/satellite.rs), with today pinned to
// 2026-11-22 by the Playwright configuration.
const PASSWORD = 'Satellite-demo-2024';
const CAMILLE = 'camille.martin@example.fr';
const RAFAEL = 'rafael.souza@example.com.br';
const AWA = 'awa.diop@example.fr';
const PETRA = 'petra.wagner@example.de';

async function signIn(page: Page, email: string, prefix: string) {
  const signIn = new SignInPage(page);
  await signIn.open(prefix);
  await hydrated(page);
  await signIn.signIn(email, PASSWORD);
  await expect(page.getByTestId('sign-out')).toBeVisible();
}

test('at 360 px the next invoice and the payments waiting fit and pass axe (P6)', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  for (const [email, path, testid] of [
    [CAMILLE, '/fr/invoices/next', 'preview-lines'],
    [AWA, '/fr/invoices', 'payables'],
  ]) {
    await signIn(page, email, '/fr');
    await page.goto(path);
    await hydrated(page);
    await expect(page.getByTestId(testid)).toBeVisible();
    const overflow = await horizontalOverflow(page);
    expect(overflow, path).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page), path).toEqual([]);
    await page.getByTestId('sign-out').click();
    await expect(page.getByTestId('sign-out')).toHaveCount(0);
  }
  await context.close();
});

test('the preview follows usage, a plan change shows its proration first, the billing date stays (I5, B5, H3, B6)', async ({
  page,
}, testInfo) => {
  await signIn(page, CAMILLE, '/fr');
  await page.goto('/fr/invoices');
  await page.getByTestId('next-invoice-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre prochaine facture');
  await hydrated(page);
  const total = page.getByTestId('preview-total');
  // 45 GB of 100 used in the cycle 8 Nov – 7 Dec: the next month's fee only.
  await expect(page.getByTestId('preview-issue-date').locator('time')).toHaveAttribute('datetime', '2026-12-08');
  await expect(total).toHaveText('49,00\u00a0€');
  await expect(page.locator('[data-testid="preview-lines"] tr[data-kind="overage"]')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);

  // 60 GB arrive today: 105 GB, 5 started GB beyond the allowance at 2,00 €.
  execute(
    testInfo,
    `INSERT INTO usage_records (contract_id, kind, usage_date, started_at, quantity)
     SELECT id, 'data', DATE '2026-11-22', TIMESTAMP '2026-11-22 18:00', 60000
       FROM contracts WHERE contract_number = '300001-01'`,
  );
  await page.reload();
  await hydrated(page);
  const overage = page.locator('[data-testid="preview-lines"] tr[data-kind="overage"]');
  await expect(overage).toContainText('Données au-delà du volume inclus');
  await expect(overage).toContainText('5');
  await expect(overage.locator('td.num')).toHaveText('10,00\u00a0€');
  await expect(total).toHaveText('59,00\u00a0€');

  // Sky 200: 30,00 € more a month, 16 of the cycle's 30 days left → 16,00 € shown before confirming.
  const sky200 = page.getByTestId('plan-choice').filter({ hasText: 'Sky 200' });
  await expect(sky200.getByTestId('plan-quote')).toContainText('16,00\u00a0€');
  await sky200.getByRole('radio').check();
  await page.getByTestId('confirm-plan').click();
  await expect(page.getByTestId('plan-changed')).toContainText('Votre forfait a été changé');
  await expect(page.getByTestId('current-plan')).toContainText('Sky 200');
  const proration = page.locator('[data-testid="preview-lines"] tr[data-kind="proration"]');
  await expect(proration).toContainText('Sky 100 → Sky 200');
  await expect(proration.locator('td.num')).toHaveText('16,00\u00a0€');
  // 105 GB fit in Sky 200's 200 GB: 79,00 + 16,00.
  await expect(page.locator('[data-testid="preview-lines"] tr[data-kind="overage"]')).toHaveCount(0);
  await expect(total).toHaveText('95,00\u00a0€');

  // B6: the billing date cannot move; the answer says why and the field keeps what was typed.
  await expect(page.getByTestId('billing-anchor')).toContainText('le 8 de chaque mois');
  const day = page.getByLabel('Jour du mois souhaité');
  await day.fill('1');
  await page.getByTestId('request-billing-date').click();
  await expect(page.locator('.field-error')).toContainText('ne peut être ni modifiée ni reportée');
  await expect(day).toHaveValue('1');
});

test('mobile money: a double click on "pay" records one payment (I6)', async ({ page }, testInfo) => {
  await signIn(page, AWA, '/fr');
  await page.goto('/fr/invoices');
  await hydrated(page);
  const payables = page.getByTestId('payables');
  await expect(payables).toContainText('Veuillez finaliser ce paiement mobile money.');
  await expect(payables.getByLabel(/Mobile money/)).toBeChecked();
  expect(await seriousViolations(page)).toEqual([]);
  await payables.getByTestId('pay-invoice').dblclick();
  await expect(page.getByTestId('invoice-paid')).toContainText('la facture est payée');
  await expect(page.getByTestId('payables')).toHaveCount(0);
  const payments = execute(
    testInfo,
    `SELECT count(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id
       JOIN customers c ON c.id = i.customer_id WHERE c.customer_number = '300003'`,
  );
  expect(payments).toBe('1');
  await expect(page.getByTestId('invoices').locator('tbody tr').first().locator('.badge')).toHaveText('Payée');
});

test('Brazil: the first invoice is payable within 7 days, on the page and the PDF (B4, B7)', async ({
  page,
}, testInfo) => {
  // Tomorrow's run, from the server binary: Rafael is activated 30 days after shipment.
  const report = billingRun(testInfo, '2026-11-23');
  expect(report).toContain('activated 1');
  await signIn(page, RAFAEL, '');
  await page.goto('/invoices');
  await hydrated(page);
  const first = page.getByTestId('invoices').locator('tbody tr').first();
  await expect(first.locator('td').nth(0).locator('time')).toHaveAttribute('datetime', '2026-11-23');
  await expect(first.locator('td').nth(3).locator('time')).toHaveAttribute('datetime', '2026-11-30');
  await expect(first.getByTestId('net-days')).toHaveText('payable within 7 days');
  const [download] = await Promise.all([page.waitForEvent('download'), first.getByTestId('invoice-pdf').click()]);
  const file = testInfo.outputPath('first-invoice.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  expect(text).toMatch(/Payment term \(days\)\s+7/);
  expect(text).toContain('Céu 100');
});

test('a managed account gets no preview (B5)', async ({ page }) => {
  await signIn(page, PETRA, '/de');
  await page.goto('/de/invoices/next');
  await expect(page.getByTestId('preview-managed')).toContainText('keine Rechnungsvorschau');
  await expect(page.getByTestId('preview-lines')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
});
