import { expect, test } from '../fixtures';
import { hydrated } from '../pages/sign-in-page';

test('the switcher changes the language and remembers it (P4)', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await page.getByTestId('lang-de').click();
  await expect(page).toHaveURL(/\/de\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Anmelden');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByTestId('lang-de')).toHaveAttribute('aria-current', 'true');

  // The cookie now wins over the unprefixed URL.
  await page.goto('/sign-in');
  await expect(page).toHaveURL(/\/de\/sign-in$/);

  await page.getByTestId('lang-nl').click();
  await expect(page).toHaveURL(/\/nl\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Aanmelden');

  await page.getByTestId('lang-en').click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
});

test('Accept-Language chooses the language of a first visit (P4)', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'fr-BE' });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await expect(page).toHaveURL(/\/fr\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Se connecter');
  await context.close();
});

test('a language prefix with a final slash goes to its canonical page (issue 23)', async ({ page }) => {
  for (const [path, canonical] of [['/de/', '/de/sign-in'], ['/fr/sign-in/', '/fr/sign-in'], ['/nl/', '/nl/sign-in']]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    expect(new URL(page.url()).pathname, path).toBe(canonical);
    await expect(page.locator('html')).toHaveAttribute('lang', canonical.slice(1, 3));
  }
});
