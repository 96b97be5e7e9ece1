import { horizontalOverflow, seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { LinkingPage, MOBILE } from '../pages/linking-page';
import { SignInPage, TRIO, hydrated } from '../pages/sign-in-page';

test('sign-in has no serious accessibility violations (P6)', async ({ page }) => {
  await page.goto('/de/sign-in');
  await hydrated(page);
  expect(await seriousViolations(page)).toEqual([]);
  // With errors shown too.
  await page.getByTestId('sign-in-submit').click();
  await expect(page.locator('#sign-in-email-error')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('Home has no serious accessibility violations (P6)', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open('/fr');
  await hydrated(page);
  await signIn.signIn(TRIO.email, TRIO.password);
  await expect(page.getByTestId('balance')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the keyboard reaches the form with a visible focus (P6)', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.keyboard.press('Tab');
  const skip = page.locator('.skip-link');
  await expect(skip).toBeFocused();
  const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.locator('#sign-in-email').focus();
  await page.keyboard.type(TRIO.email);
  await page.keyboard.press('Tab');
  await expect(page.locator('#sign-in-password')).toBeFocused();
  await page.keyboard.type(TRIO.password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('balance')).toBeVisible();
});

test('no horizontal scrolling at 360 px (P6)', async ({ browser }) => {
  // Six pages, each loaded, hydrated and checked by axe: 15-25 s on an idle machine.
  test.setTimeout(90_000);
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const signIn = new SignInPage(page);
  await signIn.open('/fr');
  await hydrated(page);
  await signIn.signIn(TRIO.email, TRIO.password);
  await expect(page.getByTestId('balance')).toBeVisible();
  for (const path of ['/fr', '/fr/invoices', '/fr/messages', '/fr/appointment', '/fr/account', '/fr/security']) {
    await page.goto(path);
    await hydrated(page);
    const overflow = await horizontalOverflow(page);
    expect(overflow, path).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page), path).toEqual([]);
  }
  await context.close();
});

test('the linking page with warnings and a refusal has no serious violations (P6, L1)', async ({ page }) => {
  const linking = new LinkingPage(page);
  await linking.openAs(MOBILE.jonas, '/de');
  await expect(page.getByTestId('warning-business')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await linking.linkAsHolder('200004', 'Consulting-200004');
  await expect(linking.refusal()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
