import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { HomeProducts } from '../pages/home-page';
import { MOBILE } from '../pages/linking-page';
import { SignInPage, hydrated, signInTrio } from '../pages/sign-in-page';

test('customers on the old invoice layout get a banner with the help page (H5)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/de');
  await hydrated(page);
  await signIn.signIn(MOBILE.anna, MOBILE.password);
  const banner = page.getByTestId('old-layout-banner');
  await expect(banner).toContainText('Ihre Rechnungen haben noch das alte Layout');
  await expect(banner.getByRole('link', { name: 'So lesen Sie das alte Rechnungslayout' })).toHaveAttribute(
    'href',
    'https://www.lumen.example/help/old-invoice-layout',
  );
  expect(await seriousViolations(page)).toEqual([]);
});

test('activating an option shows the prorated amount and then the option as active (H3)', async ({ page }) => {
  await signInTrio(page);
  await hydrated(page);
  const home = new HomeProducts(page);
  await home.expectLoaded();
  const decoder = home.option('100001-01', 'TV-DECODER');
  await expect(decoder.getByTestId('option-state')).toHaveText('Not active');

  const toggle = decoder.locator('summary');
  await expect(toggle).toHaveText('Activate Additional decoder');
  await toggle.click();
  const panel = decoder.locator('.confirm-panel');
  await expect(panel).toBeVisible();
  // 5.00 a month, 13 of the 30 days of the cycle 5 Nov – 4 Dec remain on 22 Nov: 2.17.
  await expect(panel).toContainText('Monthly price');
  await expect(panel).toContainText('5.00');
  await expect(panel.getByTestId('prorated-amount')).toContainText('2.17');
  await expect(panel.getByTestId('prorated-amount')).toContainText('for 13 of the 30 days of the current billing cycle');
  expect(await seriousViolations(page)).toEqual([]);

  await panel.getByRole('button', { name: 'Confirm activation' }).click();
  await expect(home.notice()).toContainText('Additional decoder is now active.');
  await expect(home.notice()).toContainText('Charged on your next invoice: €2.17');
  await expect(decoder.getByTestId('option-state')).toHaveText('Active');
  await expect(decoder).toContainText('since');
  // Deactivating now would credit the same amount back.
  await expect(toggle).toHaveText('Deactivate Additional decoder');
  await toggle.click();
  await expect(decoder.getByTestId('prorated-amount')).toContainText('2.17');
  await expect(decoder.locator('.confirm-panel')).toContainText('Credited on your next invoice');
});

test('usage bars show this cycle against the allowance; an alert threshold is validated (H2, H4)', async ({ page }) => {
  await signInTrio(page);
  await hydrated(page);
  const home = new HomeProducts(page);
  await home.expectLoaded();
  const mobile = home.card('100001-04');
  // 10 GB of the tariff + 5 GB of the data option; 200 minutes.
  await expect(mobile.getByTestId('meter-data')).toContainText('of 15.0 GB');
  await expect(mobile.getByTestId('meter-minutes')).toContainText('of 200 min');
  await expect(mobile.getByRole('meter', { name: 'Data' })).toHaveAttribute('aria-valuenow', /^\d+$/);
  await expect(mobile.getByTestId('alert-setting')).toContainText('Data: alert at 5.0 GB');
  await expect(mobile.getByTestId('alert-setting')).toContainText('sent this cycle');

  const internet = home.card('100001-02');
  await internet.getByLabel('Threshold (GB, minutes or amount)').fill('0');
  await internet.getByTestId('save-alert').click();
  await expect(internet.locator('.field-error')).toHaveText(
    'Please enter a positive number, such as 10 or 2.5 (whole minutes, data with at most one decimal).',
  );
  await expect(internet.getByLabel('Threshold (GB, minutes or amount)')).toHaveValue('0');
  await internet.getByLabel('Threshold (GB, minutes or amount)').fill('800');
  await internet.getByTestId('save-alert').click();
  await expect(home.notice()).toHaveText('Alert saved.');
  await expect(home.card('100001-02').getByTestId('alert-setting')).toContainText('Data: alert at 800.0 GB');
  expect(await seriousViolations(page)).toEqual([]);
});

test('a move request keeps what was typed on an error, then shows its status (H4)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await hydrated(page);
  const home = new HomeProducts(page);
  await home.expectLoaded();
  // The demo's move of the internet line is confirmed by the provider.
  await expect(home.card('100001-02').getByTestId('move-status')).toHaveText('Confirmé');

  const tv = home.card('100001-01');
  await tv.getByText('Demander un déménagement').click();
  await tv.getByLabel('Rue et numéro').fill('Rue Haute 5');
  await tv.getByLabel('Code postal').fill('100');
  await tv.getByLabel('Localité').fill('Bruxelles');
  await tv.getByLabel('Date souhaitée').fill('2026-12-20');
  await tv.getByTestId('request-move').click();
  await expect(tv.getByLabel('Code postal')).toHaveAttribute('aria-invalid', 'true');
  await expect(tv.locator('.field-error')).toContainText('4 chiffres en Belgique');
  await expect(tv.getByLabel('Rue et numéro')).toHaveValue('Rue Haute 5');

  await tv.getByLabel('Code postal').fill('1000');
  await tv.getByTestId('request-move').click();
  await expect(home.notice()).toHaveText('Votre demande de déménagement a été envoyée.');
  await expect(home.card('100001-01').getByTestId('move-status')).toHaveText(
    'Demandé, en attente de notre confirmation',
  );
  await expect(home.card('100001-01').getByTestId('move-request')).toContainText('Rue Haute 5, 1000 Bruxelles');
  expect(await seriousViolations(page)).toEqual([]);
  await home.card('100001-01').getByTestId('cancel-move').click();
  await expect(home.notice()).toHaveText('Votre demande de déménagement a été retirée.');
  await expect(home.card('100001-01').getByTestId('move-form')).toBeVisible();
});

test('a hosting service on Home points to its configuration; Services is only there with hosting (X1)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/de');
  await hydrated(page);
  await signIn.signIn('hannah.vogel@example.de', 'Hosting-demo-2024');
  const link = page.getByTestId('service-options-link').first();
  await expect(link).toHaveText('Konfiguration dieses Dienstes unter „Dienste“ ändern');
  await link.click();
  await expect(page.getByTestId('options-link')).toHaveAttribute('aria-current', 'page');
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/de\/sign-in$/);

  await signInTrio(page, '/de');
  await expect(page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Dienste' })).toHaveCount(0);
});
