import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { hydrated, registerFresh, SignInPage } from '../pages/sign-in-page';

const OLD = 'a long enough passphrase';
const NEW = 'Velo-Rouge-Sur-Meuse-42';

test('changing the password signs out another browser (S2)', async ({ page, browser }, testInfo) => {
  // A login of its own, so that the demo logins keep their passwords.
  const email = await registerFresh(page, OLD);

  // The same login in another browser.
  const other = await browser.newContext({ ...testInfo.project.use });
  const otherPage = await other.newPage();
  const otherSignIn = new SignInPage(otherPage);
  await otherSignIn.open();
  await hydrated(otherPage);
  await otherSignIn.signIn(email, OLD);
  await expect(otherPage.getByTestId('sign-out')).toBeVisible();

  await page.getByRole('link', { name: 'Security' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Security');
  await hydrated(page);
  expect(await seriousViolations(page)).toEqual([]);
  const form = page.getByRole('region', { name: 'Password' });
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password', { exact: true }).fill(NEW);
  await form.getByLabel('Repeat the new password').fill(NEW);
  await form.getByTestId('change-password').click();
  await expect(form.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.locator('.field-error')).toHaveText('The current password is not correct.');
  await expect(form.getByLabel('New password', { exact: true })).toHaveValue(NEW);

  await form.getByLabel('Current password').fill(OLD);
  await form.getByTestId('change-password').click();
  await expect(page.getByTestId('security-notice')).toHaveText(
    'Your password was changed. Your other sessions were ended.',
  );
  await expect(page.getByTestId('password-changed-at')).toBeVisible();
  // This browser stays signed in (with a new session id); the other one is out.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Security');
  await otherPage.goto('/security');
  await expect(otherPage).toHaveURL(/\/sign-in/);
  await otherSignIn.signIn(email, OLD);
  await expect(otherSignIn.error()).toBeVisible();
  await otherSignIn.signIn(email, NEW);
  await expect(otherPage.getByTestId('sign-out')).toBeVisible();
  await other.close();
});

test('the security question is saved with its answer hashed (S2)', async ({ page }) => {
  await registerFresh(page, OLD, '/fr');
  await page.getByRole('link', { name: 'Sécurité' }).click();
  await hydrated(page);
  const form = page.getByRole('region', { name: 'Question de sécurité' });
  await expect(form.getByTestId('current-question')).toHaveText('Vous n’avez pas encore de question de sécurité.');
  await form.getByLabel('Réponse').fill('Rex');
  await form.getByLabel('Mot de passe actuel').fill(OLD);
  await form.getByTestId('save-question').click();
  await expect(form.locator('#security-question-error')).toHaveText('Veuillez remplir ce champ.');
  await expect(form.getByLabel('Réponse')).toHaveValue('Rex');
  await form.getByLabel('Question', { exact: true }).selectOption('first_pet');
  await form.getByTestId('save-question').click();
  await expect(page.getByTestId('security-notice')).toHaveText('Votre question de sécurité a été enregistrée.');
  await expect(form.getByTestId('current-question')).toContainText('Quel était le nom de votre premier animal ?');
  expect(await seriousViolations(page)).toEqual([]);
});
