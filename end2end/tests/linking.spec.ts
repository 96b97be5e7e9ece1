import { expect, test } from '../fixtures';
import { lastMessageId, smsCode } from '../db';
import { LinkingPage, MOBILE, holderLiftsAPause, registerAndOpenLinks } from '../pages/linking-page';

// The worked cases of LINKING.md, driven through the page, with messages checked in German,
// French, Dutch and English.

test('holder sees both contracts, the user link and the legacy business line (L1, L3, L9)', async ({ page }) => {
  const linking = new LinkingPage(page);
  await linking.openAs(MOBILE.jonas, '/de');
  const holder = linking.link('holder', '200001');
  await expect(holder).toContainText('Vertragsinhaber');
  await expect(holder.locator('li')).toHaveCount(2);
  await expect(linking.link('user', '200002')).toContainText('+49 151 2000 0201');
  const legacy = linking.link('user', '200004');
  await expect(legacy.getByTestId('warning-business')).toContainText('Geschäftsvertrag');
  await expect(legacy.getByRole('link', { name: 'Zum Geschäftskundenportal' })).toHaveAttribute(
    'href',
    'https://business.lumen.example/',
  );
});

test('a second holder number is refused with the merge advice (L4)', async ({ page }) => {
  const linking = new LinkingPage(page);
  await linking.openAs(MOBILE.jonas, '/de');
  await linking.linkAsHolder('200002', 'Becker-200002');
  await expect(linking.refusal()).toContainText('bereits Inhaber einer anderen Kundennummer');
  await expect(linking.refusal()).toContainText('Als Nutzer');
  // The form keeps what was typed.
  await expect(page.locator('#link-customer-number')).toHaveValue('200002');
});

test('business contracts and business history are explained (L5, L6)', async ({ page }) => {
  const linking = new LinkingPage(page);
  await linking.openAs(MOBILE.anna, '/fr');
  await linking.linkAsHolder('200004', 'Consulting-200004');
  await expect(linking.refusal()).toContainText('portail professionnel');
  await expect(linking.refusal().getByRole('link', { name: "S'inscrire au portail professionnel" })).toHaveAttribute(
    'href',
    'https://business.lumen.example/register',
  );
  await linking.linkAsHolder('200003', 'Lehmann-200003');
  await expect(linking.refusal()).toContainText('en tant qu\'utilisateur');
  await linking.linkAsHolder('200003', 'wrong');
  await expect(linking.refusal()).toHaveText(
    "Le numéro de client ou le mot de passe du contrat n'est pas correct.",
  );
});

test('a stale holder link is flagged, blocks, and can be deleted (L7)', async ({ page }) => {
  const linking = new LinkingPage(page);
  await linking.openAs(MOBILE.lena, '/nl');
  const stale = linking.link('holder', '200009');
  await expect(stale.getByTestId('warning-stale')).toContainText('geen actief contract meer');
  await linking.linkAsHolder('200001', 'Becker-200001');
  await expect(linking.refusal()).toContainText('Verwijder eerst die koppeling');
  // Deleting asks first.
  await stale.getByTestId('delete-link').click();
  await expect(stale.locator('.confirm-delete')).toContainText('koppeling met klantnummer 200009 verwijderen?');
  await stale.getByTestId('confirm-delete-link').click();
  await expect(stale).toHaveCount(0);
  await expect(page.getByTestId('flash')).toHaveText('De koppeling is verwijderd.');
  await linking.linkAsHolder('200001', 'Becker-200001');
  await expect(linking.link('holder', '200001').locator('li')).toHaveCount(2);
});

test('a user becomes holder in one step, and only then sees the account (L2, L8)', async ({ page }) => {
  const linking = new LinkingPage(page);
  await linking.openAs(MOBILE.max);
  await expect(linking.link('user', '200001')).toBeVisible();
  // As user: the line, but no balance on Home, and no invoices (L2).
  await page.goto('/');
  await expect(page.getByText('+49 151 2000 0102')).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveCount(0);
  expect((await page.goto('/invoices'))?.status()).toBe(404);

  await page.goto('/links');
  await page.locator('#make-holder-password').fill('Becker-200001');
  await page.getByTestId('make-holder-submit').click();
  await expect(linking.link('holder', '200001')).toBeVisible();
  await expect(linking.link('user', '200001')).toHaveCount(0);
  await page.goto('/');
  await expect(page.getByTestId('balance')).toBeVisible();
  await expect(page.getByTestId('customer-number')).toHaveText('200001');
  // Holder now: the invoices of 200001 are his to see.
  await page.getByRole('link', { name: 'Invoices' }).click();
  await expect(page.getByTestId('invoices').locator('tbody tr')).toHaveCount(3);
});

test('a new person registers, is refused as holder (L6) and links the line as user by SMS code', async ({
  page,
}, testInfo) => {
  const email = `sms-${testInfo.project.name}-${Date.now()}@example.de`;
  const linking = await registerAndOpenLinks(page, email, '/de');
  await linking.linkAsHolder('200003', 'Lehmann-200003');
  await expect(linking.refusal()).toContainText('Geschäftsverträge');
  await linking.refusal().getByRole('link', { name: 'Stattdessen als Nutzer verknüpfen' }).click();

  const before = lastMessageId(testInfo);
  await linking.requestCode('+49 151 2000 0301');
  await expect(page.getByTestId('code-sent')).toContainText('+49 151 2000 0301');
  const code = await smsCode(testInfo, '200003', before);
  const wrong = code === '000000' ? '000001' : '000000';
  await linking.enterCode(wrong);
  await expect(linking.userRefusal()).toContainText('nicht korrekt, schon benutzt oder abgelaufen');
  await expect(page.locator('#link-code')).toHaveValue(wrong);
  await linking.enterCode(code);
  const link = linking.link('user', '200003');
  await expect(link).toContainText('Nutzer');
  await expect(link).toContainText('+49 151 2000 0301');
  // The spent code's form is gone; a new user link starts with a new request.
  await expect(page.locator('#link-code')).toHaveCount(0);
});

test('the user-link form explains bad input and keeps it (nl)', async ({ page }, testInfo) => {
  const email = `sms-nl-${testInfo.project.name}-${Date.now()}@example.de`;
  const linking = await registerAndOpenLinks(page, email, '/nl');
  await linking.requestCode('0151 2000 0101');
  await expect(page.locator('#link-phone-error')).toHaveText(
    'Vul het telefoonnummer in met het landnummer, bijvoorbeeld +32 470 12 34 56.',
  );
  await expect(page.locator('#link-phone')).toHaveValue('0151 2000 0101');
  await linking.requestCode('+49 151 2000 0401');
  await expect(linking.userRefusal()).toContainText('Zakelijke contracten');
});

test('guesses from other logins pause a customer number until its holder allows linking again (issue 24)', async ({
  page,
}, testInfo) => {
  await holderLiftsAPause(page, testInfo);
});
