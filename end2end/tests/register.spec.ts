import { expect, test } from '../fixtures';
import { hydrated } from '../pages/sign-in-page';

test('a new customer registers and lands on Home without contracts (S1)', async ({ page }) => {
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
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'No contract linked yet' })).toBeVisible();
  await expect(page.getByTestId('sign-out')).toBeVisible();

  // The same email cannot register twice.
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/register');
  await hydrated(page);
  await page.locator('#register-email').fill(email);
  await page.locator('#register-password').fill('a long enough passphrase');
  await page.locator('#register-password-confirm').fill('a long enough passphrase');
  await page.getByTestId('register-submit').click();
  await expect(page.locator('#register-email-error')).toContainText('already exists');
});
