import { expect, test } from '../fixtures';
import { SignInPage, TRIO, signInTrio } from '../pages/sign-in-page';

// The "nojs" project runs these with JavaScript disabled: plain HTML forms (P6).

test('sign-in works without JavaScript', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/de');
  await signIn.signIn(TRIO.email, TRIO.password);
  await expect(page).toHaveURL(/\/de$/);
  await expect(page.getByTestId('balance')).toContainText('98,01 €');
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/de\/sign-in$/);
});

test('a wrong password shows the generic error without JavaScript', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/fr');
  await signIn.signIn(TRIO.email, 'not-the-password');
  await expect(signIn.error()).toHaveText(
    "L'adresse e-mail ou le mot de passe n'est pas correct.",
  );
});

test('the language switcher works without JavaScript', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByTestId('lang-fr').click();
  await expect(page).toHaveURL(/\/fr\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Se connecter');
});

test('an option is activated without JavaScript: the confirm step is a disclosure (H3)', async ({ page }) => {
  await signInTrio(page);
  const decoder = page.locator('[data-testid="product"][data-contract="100001-01"] [data-testid="option"][data-code="TV-DECODER"]');
  await decoder.locator('summary').click();
  await expect(decoder.getByTestId('prorated-amount')).toContainText('€2.17');
  await decoder.getByRole('button', { name: 'Confirm activation' }).click();
  await expect(decoder.getByTestId('option-state')).toHaveText('Active');
});

test('documents upload as a plain form post without JavaScript (M3)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await page.goto('/fr/account');
  const documents = page.getByRole('region', { name: 'Documents' });
  await documents.getByLabel('Fichier').setInputFiles({ name: 'scan.png', mimeType: 'image/png', buffer: Buffer.from('MZ not an image') });
  await documents.getByTestId('upload-submit').click();
  await expect(page).toHaveURL(/\/fr\/account\?upload_error=file_type$/);
  await expect(documents.locator('#document-file-error')).toContainText('Uniquement PDF, JPEG ou PNG');
  await documents.getByLabel('Fichier').setInputFiles({
    name: 'justificatif.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
  });
  await documents.getByTestId('upload-submit').click();
  await expect(page).toHaveURL(/\/fr\/account\?upload=done$/);
  await expect(page.getByTestId('upload-notice')).toHaveText('Votre document est bien arrivé.');
  await expect(documents.getByTestId('document').getByRole('link')).toHaveText('justificatif.pdf');
});

test('an appointment is booked without JavaScript (A2)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await page.goto('/fr/appointment');
  const booking = page.getByTestId('booking');
  const select = booking.getByLabel('Créneau');
  const value = await select.locator('option:not([value=""])').nth(5).getAttribute('value');
  await select.selectOption(value!);
  await booking.getByTestId('book-submit').click();
  await expect(page.getByTestId('appointment')).toHaveCount(2);
});

test('mobile money is paid and a plan is changed without JavaScript (I6, H3)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/fr');
  await signIn.signIn('awa.diop@example.fr', 'Satellite-demo-2024');
  await page.goto('/fr/invoices');
  const payables = page.getByTestId('payables');
  await expect(payables.getByLabel(/Mobile money/)).toBeChecked();
  await payables.getByTestId('pay-invoice').click();
  await expect(page).toHaveURL(/\/fr\/invoices\??$/);
  await expect(page.getByTestId('payables')).toHaveCount(0);
  await expect(page.getByTestId('invoices').locator('tbody tr').first().locator('.badge')).toHaveText('Payée');

  await page.goto('/fr/invoices/next');
  const sky100 = page.getByTestId('plan-choice').filter({ hasText: 'Sky 100' });
  await sky100.getByRole('radio').check();
  await page.getByTestId('confirm-plan').click();
  await expect(page.getByTestId('current-plan')).toContainText('Sky 100');
  await expect(page.locator('[data-testid="preview-lines"] tr[data-kind="proration"]')).toContainText('Sky 50 → Sky 100');
});
