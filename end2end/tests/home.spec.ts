import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { MOBILE } from '../pages/linking-page';
import { SignInPage, hydrated } from '../pages/sign-in-page';

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
