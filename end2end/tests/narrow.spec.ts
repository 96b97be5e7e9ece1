import type { Page } from '@playwright/test';
import { horizontalOverflow } from '../axe';
import { expect, test } from '../fixtures';
import { HomeProducts } from '../pages/home-page';
import { MOBILE } from '../pages/linking-page';
import { SignInPage, TRIO, hydrated } from '../pages/sign-in-page';

// A 360 px phone (P6), in the phone project (hydrated) and the JavaScript-off project: every
// page fits the width in all four languages, with its disclosures open and its longest
// statuses shown (issue 23).

const PREFIXES = ['', '/de', '/fr', '/nl'];

test.use({ viewport: { width: 360, height: 780 } });

test.beforeEach(() => {
  test.skip(test.info().project.name === 'desktop', 'phones: the phone and JavaScript-off projects');
});

async function signIn(page: Page, email: string, password: string, prefix = '') {
  const signIn = new SignInPage(page);
  await signIn.open(prefix);
  await hydrated(page);
  await signIn.signIn(email, password);
  await expect(page.getByTestId('sign-out')).toBeVisible();
}

/** Opens every disclosure of the page (option confirm steps, move forms, messages …). */
async function openDisclosures(page: Page) {
  await page.locator('details').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
}

test('the option confirm step reads at 360 px in every language (H3, P6)', async ({ page }) => {
  await signIn(page, TRIO.email, TRIO.password);
  const home = new HomeProducts(page);
  // Four languages at 360 px, and German again at 412 px (a Pixel 7), where it overflowed too.
  const cases = [...PREFIXES.map((prefix) => ({ prefix, width: 360 })), { prefix: '/de', width: 412 }];
  for (const { prefix, width } of cases) {
    await page.setViewportSize({ width, height: 780 });
    await page.goto(prefix || '/');
    await hydrated(page);
    const sport = home.option('100001-01', 'TV-SPORT');
    await sport.locator('summary').click();
    const amount = sport.getByTestId('prorated-amount');
    await expect(amount).toBeVisible();
    expect(await horizontalOverflow(page), `${prefix} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
    // The amount stays on one line, inside its box.
    const measured = await amount.evaluate((dd) => {
      const money = dd.querySelector('.money')!;
      const range = document.createRange();
      range.selectNodeContents(money);
      return {
        box: dd.getBoundingClientRect().width,
        text: range.getBoundingClientRect().width,
        lines: new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size,
      };
    });
    expect(measured.text, `${prefix} amount`).toBeGreaterThan(20);
    expect(measured.box, `${prefix} amount box`).toBeGreaterThanOrEqual(measured.text);
    expect(measured.lines, `${prefix} amount lines`).toBe(1);
  }
});

test('Home fits 360 px with a move request waiting for confirmation (H4, P6)', async ({ page }) => {
  await signIn(page, TRIO.email, TRIO.password, '/de');
  const home = new HomeProducts(page);
  const tv = home.card('100001-01');
  await tv.getByText('Umzug beantragen').click();
  await tv.getByLabel('Straße und Hausnummer').fill('Rue Haute 5');
  await tv.getByLabel('Postleitzahl').fill('1000');
  await tv.getByLabel('Ort', { exact: true }).fill('Bruxelles');
  await tv.getByLabel('Wunschtermin').fill('2026-12-20');
  await tv.getByTestId('request-move').click();
  await expect(home.card('100001-01').getByTestId('move-status')).toBeVisible();
  for (const prefix of PREFIXES) {
    await page.goto(prefix || '/');
    await hydrated(page);
    await openDisclosures(page);
    expect(await horizontalOverflow(page), `${prefix} scrolls sideways`).toBeLessThanOrEqual(0);
  }
  await page.goto('/de');
  await hydrated(page);
  await home.card('100001-01').getByTestId('cancel-move').click();
  await expect(home.card('100001-01').getByTestId('move-form')).toBeVisible();
});

/** The portal's pages a login reaches from the navigation, and one of each kind linked from
 * them (an invoice's usage, a hosting service and its options), without downloads. */
async function reachablePages(page: Page): Promise<string[]> {
  const found = new Map<string, string>();
  const collect = async (selector: string) => {
    const hrefs = await page.locator(selector).evaluateAll((links) =>
      links.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''),
    );
    for (const href of hrefs) {
      const path = href.split('?')[0];
      if (!path.startsWith('/') || path.startsWith('/locale/') || /\.(pdf|csv)$|\/pdf$|\/documents\//.test(path)) continue;
      const kind = path.replace(/\d+/g, 'N');
      if (!found.has(kind)) found.set(kind, path);
    }
  };
  await collect('.site-header a');
  for (const path of Array.from(found.values())) {
    await page.goto(path);
    await collect('main a');
  }
  for (const path of Array.from(found.values()).filter((p) => p.includes('/services/'))) {
    await page.goto(path);
    await collect('main a');
  }
  return Array.from(found.values()).filter((p) => !p.includes('/sign-in') && !p.includes('/register'));
}

for (const household of [
  { name: 'Trio', email: TRIO.email, password: TRIO.password },
  { name: 'mobile', email: MOBILE.jonas, password: MOBILE.password },
  { name: 'hosting', email: 'hannah.vogel@example.de', password: 'Hosting-demo-2024' },
]) {
  test(`every page of the ${household.name} household fits 360 px in four languages, disclosures open (P6)`, async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await signIn(page, household.email, household.password);
    const paths = await reachablePages(page);
    expect(paths.length).toBeGreaterThan(4);
    for (const prefix of PREFIXES) {
      for (const path of paths) {
        const address = prefix + (path === '/' && prefix ? '' : path);
        const response = await page.goto(address);
        expect(response?.status(), address).toBeLessThan(400);
        await page.waitForLoadState('load');
        await openDisclosures(page);
        expect(await horizontalOverflow(page), `${address} scrolls sideways`).toBeLessThanOrEqual(0);
      }
    }
  });
}

test('the signed-out pages fit 360 px in four languages, with their notices and errors (issue 27, P6)', async ({
  page,
}) => {
  const paths = [
    '/sign-in?reset=done',
    '/register?sent=1',
    '/forgot-password?sent=1',
    '/reset-password?token=spent-or-made-up',
    '/verify-email?token=spent-or-made-up',
  ];
  for (const prefix of PREFIXES) {
    for (const path of paths) {
      const address = prefix + path;
      const response = await page.goto(address);
      expect(response?.status(), address).toBe(200);
      await page.waitForLoadState('load');
      expect(await horizontalOverflow(page), `${address} scrolls sideways`).toBeLessThanOrEqual(0);
    }
  }
});
