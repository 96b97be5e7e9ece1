import { expect, test, type Page } from '@playwright/test';
import { waitForLink } from '../mailbox';

/** The demo Trio household (PRODUCT.md "Demo data"), as loaded by the server. */
export const TRIO = {
  email: 'claire.dubois@example.be',
  password: 'Trio-demo-2024',
  customerNumber: '100001',
};

/** The sign-in page, in any language (prefix '' for English, '/de', '/fr', '/nl'). */
export class SignInPage {
  constructor(private readonly page: Page) {}

  async open(prefix = '') {
    await this.page.goto(`${prefix}/sign-in`);
    await expect(this.page.locator('form input[name="email"]')).toBeVisible();
  }

  async signIn(email: string, password: string) {
    await this.page.locator('form input[name="email"]').fill(email);
    await this.page.locator('form input[name="password"]').fill(password);
    await this.page.getByTestId('sign-in-submit').click();
  }

  error() {
    return this.page.getByTestId('form-error');
  }
}

/** Waits until the WASM bundle has hydrated the page (no-op when JavaScript is off). The bundle
 * loads when the browser is first idle and marks `<html data-hydrated>` when it is done. */
export async function hydrated(page: Page) {
  await page.waitForLoadState('networkidle');
  if (test.info().project.use.javaScriptEnabled !== false) {
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  }
}

/** Signs the Trio customer in on the sign-in page of `prefix`'s language and waits for Home. */
export async function signInTrio(page: Page, prefix = '') {
  const signIn = new SignInPage(page);
  await signIn.open(prefix);
  await hydrated(page);
  await signIn.signIn(TRIO.email, TRIO.password);
  await expect(page.getByTestId('balance')).toBeVisible();
}

/**
 * Registers a new login as a customer does (issue 27): the register form of `prefix`'s
 * language, "check your inbox", the link from the mail (read from the test SMTP server), its
 * confirmation button; ends signed in on Home.
 */
export async function registerVerified(page: Page, email: string, password: string, prefix = '') {
  await page.goto(`${prefix}/register`);
  await hydrated(page);
  await page.locator('#register-email').fill(email);
  await page.locator('#register-password').fill(password);
  await page.locator('#register-password-confirm').fill(password);
  await page.getByTestId('register-submit').click();
  await expect(page.getByTestId('register-sent')).not.toBeEmpty();
  const link = await waitForLink(email, '/verify-email?token=');
  await page.goto(link);
  await hydrated(page);
  await page.getByTestId('verify-submit').click();
  await expect(page.getByTestId('sign-out')).toBeVisible();
}

/** Registers a new login with a unique email on the register page of `prefix`'s language. */
export async function registerFresh(page: Page, password: string, prefix = ''): Promise<string> {
  const email = `fresh-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.be`;
  await registerVerified(page, email, password, prefix);
  return email;
}
