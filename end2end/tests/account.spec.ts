import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { hydrated, signInTrio } from '../pages/sign-in-page';

test('contact data: one invalid field is explained and the rest is kept, then saved (M1)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mon compte' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  const form = page.getByRole('region', { name: 'Coordonnées' });
  await expect(form.getByLabel('Nom', { exact: true })).toHaveValue('Dubois');
  expect(await seriousViolations(page)).toEqual([]);

  await form.getByLabel('Téléphone (facultatif)').fill('+32 471 99 88 77');
  await form.getByLabel('Rue et numéro').fill('Quai de la Batte 8');
  await form.getByLabel('Code postal').fill('400');
  await form.getByTestId('save-contact').click();
  const postal = form.getByLabel('Code postal');
  await expect(postal).toHaveAttribute('aria-invalid', 'true');
  await expect(form.locator('.field-error')).toHaveText(/4 chiffres en Belgique/);
  await expect(form.locator('.field-error')).toHaveCount(1);
  await expect(form.getByLabel('Téléphone (facultatif)')).toHaveValue('+32 471 99 88 77');
  await expect(form.getByLabel('Rue et numéro')).toHaveValue('Quai de la Batte 8');
  expect(await seriousViolations(page)).toEqual([]);

  await postal.fill('4000');
  await form.getByTestId('save-contact').click();
  await expect(page.getByTestId('account-notice')).toHaveText('Vos coordonnées ont été enregistrées.');
  await expect(page.getByTestId('last-change')).toContainText('claire.dubois@example.be');
  await page.reload();
  await expect(form.getByLabel('Téléphone (facultatif)')).toHaveValue('+32471998877');
  await expect(form.getByLabel('Code postal')).toHaveValue('4000');
  // Home's overview shows the new address.
  await page.getByRole('link', { name: 'Accueil' }).first().click();
  await expect(page.locator('main')).toContainText('Quai de la Batte 8');
});
