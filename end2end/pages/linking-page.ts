import { expect, type Page } from '@playwright/test';
import { SignInPage, hydrated } from './sign-in-page';

/** The German demo household (server/src/demo/mobile_de.rs). */
export const MOBILE = {
  jonas: 'jonas.becker@example.de',
  anna: 'anna.becker@example.de',
  max: 'max.becker@example.de',
  lena: 'lena.schmidt@example.de',
  password: 'Mobil-demo-2024',
};

/** The "Linked contracts" page (L1). */
export class LinkingPage {
  constructor(private readonly page: Page) {}

  /** Signs in as `email` and opens the linking page in `prefix`'s language. */
  async openAs(email: string, prefix = '') {
    const signIn = new SignInPage(this.page);
    await signIn.open(prefix);
    await hydrated(this.page);
    await signIn.signIn(email, MOBILE.password);
    await expect(this.page.getByTestId('sign-out')).toBeVisible();
    await this.page.goto(`${prefix}/links`);
    await hydrated(this.page);
    await expect(this.page.getByTestId('links')).toBeAttached();
  }

  link(role: 'holder' | 'user', customerNumber: string) {
    return this.page.getByTestId(`link-${role}-${customerNumber}`);
  }

  async linkAsHolder(customerNumber: string, password: string) {
    await this.page.locator('#link-customer-number').fill(customerNumber);
    await this.page.locator('#link-contract-password').fill(password);
    await this.page.getByTestId('link-holder-submit').click();
  }

  refusal() {
    return this.page.getByTestId('link-refusal');
  }

  /** The refusal shown in the "link as user" card. */
  userRefusal() {
    return this.page.locator('#link-user').getByTestId('link-refusal');
  }

  async requestCode(phone: string) {
    await this.page.locator('#link-phone').fill(phone);
    await this.page.getByTestId('send-code').click();
  }

  async enterCode(code: string) {
    await this.page.locator('#link-code').fill(code);
    await this.page.getByTestId('link-user-submit').click();
  }
}

/** Registers a new login (the seed's "no login yet" path) and opens the linking page. */
export async function registerAndOpenLinks(page: Page, email: string, prefix = '') {
  await page.goto(`${prefix}/register`);
  await hydrated(page);
  await page.locator('#register-email').fill(email);
  await page.locator('#register-password').fill('a long enough passphrase');
  await page.locator('#register-password-confirm').fill('a long enough passphrase');
  await page.getByTestId('register-submit').click();
  await expect(page.getByTestId('sign-out')).toBeVisible();
  await page.goto(`${prefix}/links`);
  await hydrated(page);
  await expect(page.getByTestId('links')).toBeAttached();
  return new LinkingPage(page);
}
