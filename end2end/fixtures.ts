import { expect, test as base } from '@playwright/test';

// Answers the app gives on purpose (wrong password 401, "not yours" 404, a refused link 409,
// invalid input 422, too many attempts 429): the browser logs them as failed loads, but they
// are not errors of the page.
const EXPECTED = /Failed to load resource: the server responded with a status of (401|403|404|409|422|429)/;

/**
 * Every test fails when its page logs a console error or throws: hydration mismatches and
 * panics in the WASM show up there first.
 */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && !EXPECTED.test(message.text())) {
          errors.push(message.text());
        }
      });
      page.on('pageerror', (error) => errors.push(error.message));
      // The documents the tab loaded, with their status and policy: a console error names a
      // script or a policy, this names the response it came with.
      const documents: string[] = [];
      page.on('response', (response) => {
        if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
          const policy = response.headers()['content-security-policy'] ?? '-';
          documents.push(`${response.status()} ${response.url()} [${policy.slice(0, 40)}]`);
        }
      });
      await use(errors);
      const context = errors.length ? `\ndocuments: ${documents.join('\n  ')}` : '';
      expect(errors, `errors in the browser console${context}`).toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
