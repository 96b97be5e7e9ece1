import type { Page } from '@playwright/test';
import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { linkIn, mailsTo, waitForMail } from '../mailbox';
import { SignInPage, hydrated, registerVerified } from '../pages/sign-in-page';

// Issue 27: a forgotten password, end to end through a real SMTP server (smtp-sink.cjs), in the
// desktop, phone and JavaScript-off projects.

/** Axe runs in the page: with JavaScript off there is nothing to run it (the JS projects check). */
async function noSeriousViolations(page: Page) {
  if (test.info().project.use.javaScriptEnabled !== false) {
    expect(await seriousViolations(page)).toEqual([]);
  }
}

const OLD_PASSWORD = 'a long enough passphrase';
const NEW_PASSWORD = 'Fjord-lantern-quietly-7';

test('a forgotten password is reset with the link from the mail (issue 27)', async ({ page }) => {
  const email = `forgot-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.be`;
  await registerVerified(page, email, OLD_PASSWORD, '/de');
  await page.getByTestId('sign-out').click();

  // From the German sign-in page: "Passwort vergessen?".
  await page.goto('/de/sign-in');
  await hydrated(page);
  await page.getByTestId('forgot-link').click();
  await expect(page).toHaveURL(/\/de\/forgot-password$/);
  await hydrated(page);
  await page.locator('#forgot-email').fill(email.toUpperCase());
  await page.getByTestId('forgot-submit').click();
  await expect(page).toHaveURL(/\/de\/forgot-password\?sent=1$/);
  await expect(page.getByTestId('reset-sent')).toContainText('Wenn es zu dieser Adresse ein Login gibt');
  await noSeriousViolations(page);

  // The mail, in the login's language, text and HTML.
  const mail = await waitForMail(email, 'Neues Passwort wählen');
  expect(mail.text).toContain('30 Minuten');
  expect(mail.html).toContain('<html lang="de">');
  const link = linkIn(mail, '/reset-password?token=');
  expect(new URL(link).pathname).toBe('/de/reset-password');

  // The link's page: a mismatch keeps the form, then the new password.
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Neues Passwort wählen');
  await noSeriousViolations(page);
  await page.locator('#reset-password').fill(NEW_PASSWORD);
  await page.locator('#reset-password-confirm').fill('something else entirely');
  await page.getByTestId('reset-submit').click();
  await expect(page.locator('#reset-password-confirm-error')).toBeVisible();
  await page.locator('#reset-password').fill(NEW_PASSWORD);
  await page.locator('#reset-password-confirm').fill(NEW_PASSWORD);
  await page.getByTestId('reset-submit').click();
  await expect(page).toHaveURL(/\/de\/sign-in\?reset=done$/);
  await expect(page.getByTestId('reset-done')).toContainText('Ihr Passwort wurde geändert');

  // The new password signs in; a notice went to the address.
  const signIn = new SignInPage(page);
  await hydrated(page);
  await signIn.signIn(email, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/de$/);
  const notice = await waitForMail(email, 'Ihr Passwort wurde geändert');
  expect(notice.text).toContain('/de/sign-in');

  // The link works once.
  await page.goto(link);
  await expect(page.getByTestId('reset-link-invalid')).toContainText('nicht mehr gültig');
  // The registration's link, the reset link and the notice.
  expect((await mailsTo(email)).length).toBe(3);
});

test('an unknown address gets the same answer and no mail (issue 27, S3)', async ({ page }) => {
  const email = `nobody-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.be`;
  await page.goto('/forgot-password');
  await hydrated(page);
  await page.locator('#forgot-email').fill(email);
  await page.getByTestId('forgot-submit').click();
  await expect(page.getByTestId('reset-sent')).toContainText('If a login exists for this address');
  // A bad address is a field error.
  await page.locator('#forgot-email').fill('not an address');
  await page.getByTestId('forgot-submit').click();
  await expect(page.locator('#forgot-email-error')).toBeVisible();
  if (test.info().project.use.javaScriptEnabled !== false) {
    await expect(page.locator('#forgot-email')).toHaveValue('not an address');
  }
  await page.waitForTimeout(1000);
  expect(await mailsTo(email)).toEqual([]);
});

test('a new email address is confirmed with the link sent to it; the old one hears of it (issue 27)', async ({
  page,
}) => {
  const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const old = `before-${stamp}@example.be`;
  const fresh = `after-${stamp}@example.be`;
  await registerVerified(page, old, OLD_PASSWORD, '/fr');
  await page.goto('/fr/security');
  await hydrated(page);
  await expect(page.getByTestId('current-email')).toContainText(old);

  // A wrong password is named on its field; nothing is sent.
  await page.locator('#new-email').fill(fresh);
  await page.locator('#email-current-password').fill('not the password');
  await page.getByTestId('change-email').click();
  await expect(page.locator('#email-current-password-error')).toBeVisible();
  expect(await mailsTo(fresh)).toEqual([]);

  await page.locator('#new-email').fill(fresh);
  await page.locator('#email-current-password').fill(OLD_PASSWORD);
  await page.getByTestId('change-email').click();
  await expect(page.getByText('Nous avons envoyé un lien à la nouvelle adresse')).toBeVisible();
  await expect(page.getByTestId('email-pending')).toContainText(fresh);
  await expect(page.getByTestId('current-email')).toContainText(old);
  await noSeriousViolations(page);

  // The link from the mail to the new address, in the login's language.
  const mail = await waitForMail(fresh, 'Confirmez votre nouvelle adresse e-mail');
  const link = linkIn(mail, '/confirm-email?token=');
  expect(new URL(link).pathname).toBe('/fr/confirm-email');
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByTestId('confirm-new-email')).toHaveText(fresh);
  await noSeriousViolations(page);
  await page.getByTestId('confirm-email-submit').click();
  await expect(page).toHaveURL(/\/fr\/security\?email=changed$/);
  await expect(page.getByTestId('email-changed')).toContainText('Votre adresse e-mail a été modifiée');
  await expect(page.getByTestId('current-email')).toContainText(fresh);
  await expect(page.getByTestId('email-pending')).toHaveCount(0);

  // The old address got the notice, with the new one masked.
  const notice = await waitForMail(old, 'Votre adresse e-mail a été modifiée');
  expect(notice.text).toContain('af…@example.be');
  expect(notice.text).not.toContain(fresh);

  // Sign-in now takes the new address.
  await page.getByTestId('sign-out').click();
  await page.goto('/fr/sign-in');
  await hydrated(page);
  const signIn = new SignInPage(page);
  await signIn.signIn(fresh, OLD_PASSWORD);
  await expect(page).toHaveURL(/\/fr$/);

  // The link works once.
  await page.goto(link);
  await expect(page.getByTestId('confirm-link-invalid')).toBeVisible();
});

test('a login chooses which notices come by mail; the choice is kept (issue 27)', async ({ page }) => {
  const email = `notices-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.be`;
  await registerVerified(page, email, OLD_PASSWORD, '/nl');
  await page.goto('/nl/notifications');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meldingen per e-mail');
  const appointment = page.getByLabel('Afspraken met een technicus');
  const invoice = page.getByLabel('Nieuwe facturen en creditnota’s');
  await expect(appointment).toBeChecked();
  await expect(invoice).toBeChecked();
  await noSeriousViolations(page);
  await appointment.uncheck();
  await page.getByTestId('save-notices').click();
  await expect(page.getByText('Uw keuze is opgeslagen.')).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Afspraken met een technicus')).not.toBeChecked();
  await expect(page.getByLabel('Nieuwe facturen en creditnota’s')).toBeChecked();
});
