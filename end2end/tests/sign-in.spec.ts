import { expect, test } from '../fixtures';
import { SignInPage, TRIO, hydrated } from '../pages/sign-in-page';

// SELFCARE_TODAY is pinned to 2026-11-22 (playwright.config.ts): the Trio household's latest
// invoice is the cycle starting 2026-11-05, due 2026-11-19; open balance 110.41 − 12.40 credit.

test('Trio customer sees the balance formatted in German (H1, P4)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/de');
  await hydrated(page);
  await signIn.signIn(TRIO.email, TRIO.password);
  await expect(page).toHaveURL(/\/de$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expect(page.getByTestId('balance')).toContainText('98,01 €');
  await expect(page.getByTestId('balance')).toContainText('zu zahlen');
  await expect(page.getByTestId('last-invoice')).toContainText('110,41 €');
  await expect(page.getByTestId('last-invoice')).toContainText('05.11.2026');
  await expect(page.getByTestId('last-invoice')).toContainText('Offen');
  await expect(page.getByTestId('customer-number')).toHaveText(TRIO.customerNumber);
  await expect(page.getByTestId('contact')).toContainText('Claire Dubois');
  await expect(page.getByTestId('contact')).toContainText('4000 Liège');
  await expect(page.getByTestId('products').getByTestId('product')).toHaveCount(4);
  await expect(page.getByTestId('products')).toContainText('Digitalfernsehen');
});

test('Trio customer sees the balance formatted in French (H1, P4)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/fr');
  await hydrated(page);
  await signIn.signIn(TRIO.email, TRIO.password);
  await expect(page).toHaveURL(/\/fr$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Accueil' })).toBeVisible();
  await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', /^Votre espace client/);
  await expect(page.getByTestId('balance')).toContainText('98,01 €');
  await expect(page.getByTestId('balance')).toContainText('à payer');
  await expect(page.getByTestId('last-invoice')).toContainText('05/11/2026');
  await expect(page.getByTestId('last-invoice')).toContainText('19/11/2026');
  await expect(page.getByTestId('products')).toContainText('Télévision numérique');
});

test('English puts the euro sign first', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  await signIn.signIn(TRIO.email, TRIO.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('balance')).toContainText('€98.01');
  await expect(page.getByTestId('last-invoice')).toContainText('5 Nov 2026');
});

test('a wrong password and an unknown email get the same generic error (S1, S3)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  await signIn.signIn(TRIO.email, 'not-the-password');
  await expect(signIn.error()).toHaveText('The email address or password is not correct.');
  // The form keeps what was typed.
  await expect(page.locator('form input[name="email"]')).toHaveValue(TRIO.email);
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn.signIn('nobody-here@example.be', 'whatever-password');
  await expect(signIn.error()).toHaveText('The email address or password is not correct.');
});

test('empty fields are named, in the page language', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/nl');
  await hydrated(page);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.locator('#sign-in-email-error')).toHaveText('Vul dit veld in.');
  await expect(page.locator('#sign-in-email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#sign-in-password-error')).toHaveText('Vul dit veld in.');
});

test('sign out ends the session (S1)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  await signIn.signIn(TRIO.email, TRIO.password);
  await expect(page.getByTestId('balance')).toBeVisible();
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByTestId('sign-out')).toHaveCount(0);
  // Home now sends the visitor to sign-in.
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('anonymous visitors of Home are sent to sign-in in their language', async ({ page }) => {
  await page.goto('/fr');
  await expect(page).toHaveURL(/\/fr\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Se connecter');
});
