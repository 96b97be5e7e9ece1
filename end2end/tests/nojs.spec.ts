import { lastMessageId, smsCode } from '../db';
import { expect, test } from '../fixtures';
import { MOBILE, holderLiftsAPause, registerAndOpenLinks } from '../pages/linking-page';
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
  // The form keeps the address typed, never the password (issue 27).
  await expect(page.locator('#sign-in-email')).toHaveValue(TRIO.email);
  await expect(page.locator('#sign-in-password')).toHaveValue('');
});

test('a refused address on "forgot your password" is kept for correcting without JavaScript (issue 27)', async ({ page }) => {
  await page.goto('/forgot-password');
  await page.locator('#forgot-email').fill('claire.dubois@example');
  await page.getByTestId('forgot-submit').click();
  await expect(page.locator('#forgot-email-error')).toHaveText(
    'Please enter a valid email address, such as name@example.com.',
  );
  await expect(page.locator('#forgot-email')).toHaveValue('claire.dubois@example');
  // Kept for that one page: loaded again, the form starts empty.
  await page.goto('/forgot-password');
  await expect(page.locator('#forgot-email')).toHaveValue('');
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
  // What happened is said once, with the hydrated page's words (issue 23).
  const flash = page.getByTestId('flash');
  await expect(flash).toContainText('Additional decoder is now active.');
  await expect(flash).toContainText('Charged on your next invoice: €2.17');
  await page.reload();
  await expect(page.getByTestId('flash')).toHaveCount(0);
});

test('contact data is saved without JavaScript and says so (M1)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await page.goto('/fr/account');
  const form = page.getByRole('region', { name: 'Coordonnées' });
  await form.getByLabel('Localité').fill('Liège Centre');
  await form.getByTestId('save-contact').click();
  await expect(page).toHaveURL(/\/fr\/account\??$/);
  await expect(page.getByTestId('flash')).toHaveText('Vos coordonnées ont été enregistrées.');
  await expect(form.getByLabel('Localité')).toHaveValue('Liège Centre');
});

test('a link is deleted after a confirmation without JavaScript (L7)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/nl');
  await signIn.signIn(MOBILE.lena, MOBILE.password);
  await page.goto('/nl/links');
  const stale = page.getByTestId('link-holder-200009');
  await stale.getByTestId('delete-link').click();
  await expect(stale.locator('.confirm-delete')).toContainText('koppeling met klantnummer 200009 verwijderen?');
  await stale.getByTestId('confirm-delete-link').click();
  await expect(page).toHaveURL(/\/nl\/links\??$/);
  await expect(page.getByTestId('flash')).toHaveText('De koppeling is verwijderd.');
  await expect(page.getByTestId('link-holder-200009')).toHaveCount(0);
});

test('a line is linked as user by SMS code without JavaScript (L3)', async ({ page }, testInfo) => {
  const linking = await registerAndOpenLinks(page, `sms-nojs-${Date.now()}@example.de`, '/de');
  const before = lastMessageId(testInfo);
  await linking.requestCode('+49 151 2000 0301');
  await expect(page).toHaveURL(/\/de\/links\??$/);
  await expect(page.getByTestId('code-sent')).toContainText('+49 151 2000 0301');
  const code = await smsCode(testInfo, '200003', before);
  const wrong = code === '000000' ? '000001' : '000000';
  await linking.enterCode(wrong);
  await expect(linking.userRefusal()).toContainText('nicht korrekt, schon benutzt oder abgelaufen');
  // The code step stays, without announcing another SMS.
  await expect(page.getByTestId('code-sent')).toHaveCount(0);
  await linking.enterCode(code);
  const link = linking.link('user', '200003');
  await expect(link).toContainText('Nutzer');
  await expect(link).toContainText('+49 151 2000 0301');
  await expect(page.locator('#link-code')).toHaveCount(0);
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
  await expect(page.getByTestId('flash')).toHaveText('Votre rendez-vous est réservé.');
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
  await expect(page.getByTestId('flash')).toHaveText('Merci : la facture est payée.');
  await expect(page.getByTestId('invoices').locator('tbody tr').first().locator('.badge')).toHaveText('Payée');

  await page.goto('/fr/invoices/next');
  const sky100 = page.getByTestId('plan-choice').filter({ hasText: 'Sky 100' });
  await sky100.getByRole('radio').check();
  await page.getByTestId('confirm-plan').click();
  await expect(page.getByTestId('current-plan')).toContainText('Sky 100');
  await expect(page.locator('[data-testid="preview-lines"] tr[data-kind="proration"]')).toContainText('Sky 50 → Sky 100');
});

test('a hosting upgrade is quoted, confirmed, and a downgrade scheduled and withdrawn without JavaScript (X1–X3)', async ({
  page,
}) => {
  const signIn = new SignInPage(page);
  await signIn.open('/de');
  await signIn.signIn('hannah.vogel@example.de', 'Hosting-demo-2024');
  await page.goto('/de/services');
  await page.getByRole('link', { name: 'vps-4711.lumen-hosting.example' }).click();
  await page.getByTestId('options-link').click();
  const options = page.url();

  // Nothing changed: said so (X1).
  await page.getByTestId('continue').click();
  await expect(page.getByTestId('form-error')).toHaveText('Bitte ändern Sie mindestens eine Option.');

  // The quote is a page of its own; the selection stays (X2).
  await page.goto(options);
  await page.getByLabel('Arbeitsspeicher').selectOption('8');
  await page.getByTestId('continue').click();
  await expect(page).toHaveURL(/\/de\/services\/\d+\/options\?.*ram=8/);
  await expect(page.getByLabel('Arbeitsspeicher')).toHaveValue('8');
  const surcharge = page.getByTestId('surcharge');
  await expect(surcharge.getByTestId('days')).toHaveText('183 von 366');
  await expect(surcharge.getByTestId('net')).toHaveText('50,00\u00a0€');
  await surcharge.getByTestId('confirm-upgrade').click();
  await expect(page).toHaveURL(/\/de\/services\/\d+\??$/);
  await expect(page.getByTestId('flash')).toContainText('Ihre Konfiguration wurde geändert. Rechnung:');
  await expect(page.getByTestId('upgrade-invoice')).toHaveText(/^2026-\d{6}$/);
  await expect(page.getByTestId('upgrade-payment')).toHaveText('Von Ihrer Karte abgebucht.');
  await expect(page.getByTestId('config-price')).toHaveText('200,00\u00a0€');

  // A lower value is refused during the term and scheduled for the renewal (X3).
  await page.goto(options);
  await page.getByLabel('Prozessorkerne').selectOption('1');
  await page.getByTestId('continue').click();
  const refused = page.getByTestId('downgrade-refused');
  await expect(refused.locator('time')).toHaveAttribute('datetime', '2027-05-24');
  await refused.getByTestId('schedule-downgrade').click();
  await expect(page).toHaveURL(/\/de\/services\/\d+\??$/);
  await expect(page.getByTestId('flash')).toContainText('Vorgemerkt für die Verlängerung am');
  await expect(page.getByTestId('scheduled-change')).toContainText('Prozessorkerne: 2 vCPU → 1 vCPU');
  await page.getByTestId('withdraw-downgrade').click();
  await expect(page.getByTestId('flash')).toHaveText('Die vorgemerkte Änderung wurde zurückgezogen.');
  await expect(page.getByTestId('scheduled-change')).toHaveCount(0);
});

test('a paused customer number is released by its holder without JavaScript (issue 24)', async ({
  page,
}, testInfo) => {
  await holderLiftsAPause(page, testInfo);
});
