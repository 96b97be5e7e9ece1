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
}
