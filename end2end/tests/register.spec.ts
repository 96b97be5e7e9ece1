import { expect, test } from '../fixtures';
import { mailsTo, waitForLink, waitForMail } from '../mailbox';
import { hydrated } from '../pages/sign-in-page';

test('a new customer registers, confirms the address from the mail and lands on Home (S1, issue 27)', async ({ page }) => {
  const email = `new-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.be`;
  await page.goto('/register');
  await hydrated(page);

  await page.locator('#register-email').fill(email);
  await page.locator('#register-password').fill('short');
  await page.locator('#register-password-confirm').fill('short');
  await page.getByTestId('register-submit').click();
  await expect(page.locator('#register-password-error')).toHaveText(
    'The password needs at least 12 characters.',
  );
  await expect(page.locator('#register-email')).toHaveValue(email);

  await page.locator('#register-password').fill('a long enough passphrase');
  await page.locator('#register-password-confirm').fill('a long enough passphrase');
  await page.getByTestId('register-submit').click();
  await expect(page.getByTestId('register-sent')).toContainText('Please check your inbox');
  await expect(page.getByTestId('sign-out')).toHaveCount(0);

  // The link from the mail, then the confirmation button: the login exists and is signed in.
  const link = await waitForLink(email, '/verify-email?token=');
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activate your login');
  await page.getByTestId('verify-submit').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'No contract linked yet' })).toBeVisible();
  await expect(page.getByTestId('sign-out')).toBeVisible();

  // Registering the same address again answers the same, and the mail says so to its owner.
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/register');
  await hydrated(page);
  await page.locator('#register-email').fill(email);
  await page.locator('#register-password').fill('a long enough passphrase');
  await page.locator('#register-password-confirm').fill('a long enough passphrase');
  await page.getByTestId('register-submit').click();
  await expect(page.getByTestId('register-sent')).toContainText('Please check your inbox');
  const notice = await waitForMail(email, 'Someone tried to register with your address');
  expect(notice.text).toContain('/forgot-password');

  // The link is spent.
  await page.goto(link);
  await expect(page.getByTestId('verify-link-invalid')).toBeVisible();
  expect((await mailsTo(email)).length).toBe(2);
});
