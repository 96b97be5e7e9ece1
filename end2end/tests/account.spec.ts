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
  await expect(form.getByLabel('Téléphone (facultatif)')).toHaveValue('+32 471 99 88 77');
  await expect(form.getByLabel('Code postal')).toHaveValue('4000');
  // Step-up (issue 9): a new email address needs the current password; the form keeps it.
  await hydrated(page);
  await form.getByLabel('Adresse e-mail', { exact: true }).fill('claire.d@example.org');
  await form.getByTestId('save-contact').click();
  await expect(form.locator('#contact-current-password-error')).toBeVisible();
  await expect(form.getByLabel('Adresse e-mail', { exact: true })).toHaveValue('claire.d@example.org');
  await form.getByLabel(/Mot de passe actuel/).fill('Trio-demo-2024');
  await form.getByTestId('save-contact').click();
  await expect(page.getByTestId('account-notice')).toHaveText('Vos coordonnées ont été enregistrées.');
  await page.reload();
  await expect(form.getByLabel('Adresse e-mail', { exact: true })).toHaveValue('claire.d@example.org');
  // Home's overview shows the new address.
  await page.getByRole('link', { name: 'Accueil' }).first().click();
  await expect(page.locator('main')).toContainText('Quai de la Batte 8');
});

// A 1×1 PNG, and a Windows executable renamed to look like one.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90), Buffer.from('This program cannot be run in DOS mode')]);

test('uploading a PNG lists it; a renamed .exe is refused (M3)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await hydrated(page);
  await page.goto('/fr/account');
  await hydrated(page);
  const documents = page.getByRole('region', { name: 'Documents' });
  await expect(documents.getByTestId('no-documents')).toBeVisible();

  await documents.getByLabel('Type de document').selectOption('proof_of_address');
  await documents.getByLabel('Fichier').setInputFiles({ name: 'facture-electricite.exe.png', mimeType: 'image/png', buffer: EXE });
  await documents.getByTestId('upload-submit').click();
  await expect(documents.locator('#document-file-error')).toHaveText(
    'Uniquement PDF, JPEG ou PNG. Le contenu de ce fichier n’en est pas un, quel que soit son nom.',
  );
  await expect(documents.getByLabel('Fichier')).toHaveAttribute('aria-invalid', 'true');
  await expect(documents.getByTestId('no-documents')).toBeVisible();

  await documents.getByLabel('Type de document').selectOption('id_copy');
  await documents.getByLabel('Fichier').setInputFiles({ name: 'carte-identite.png', mimeType: 'image/png', buffer: PNG });
  await documents.getByTestId('upload-submit').click();
  await expect(page.getByTestId('upload-notice')).toHaveText('Votre document est bien arrivé.');
  await expect(documents.getByTestId('upload-progress')).toHaveAttribute('value', '100');
  const item = documents.getByTestId('document');
  await expect(item).toHaveCount(1);
  await expect(item.getByRole('link')).toHaveText('carte-identite.png');
  await expect(item).toContainText('Copie de la carte d’identité');
  await expect(item.getByTestId('document-status')).toHaveText('Reçu, en cours de vérification');
  expect(await seriousViolations(page)).toEqual([]);

  // The download is the same file.
  const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('link').click()]);
  expect(download.suggestedFilename()).toBe('carte-identite.png');
  const saved = await download.path();
  const fs = await import('node:fs');
  expect(fs.readFileSync(saved!).equals(PNG)).toBe(true);
});
