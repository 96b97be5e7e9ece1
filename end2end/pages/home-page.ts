import { expect, type Locator, type Page } from '@playwright/test';

/** The product cards on Home (H2–H4). */
export class HomeProducts {
  constructor(private readonly page: Page) {}

  /** The card of a contract, by its number. */
  card(contractNumber: string): Locator {
    return this.page.locator(`[data-testid="product"][data-contract="${contractNumber}"]`);
  }

  /** An option row of a contract, by its code. */
  option(contractNumber: string, code: string): Locator {
    return this.card(contractNumber).locator(`[data-testid="option"][data-code="${code}"]`);
  }

  notice(): Locator {
    return this.page.getByTestId('notice');
  }

  async expectLoaded() {
    await expect(this.page.getByTestId('products')).toBeVisible();
  }
}
