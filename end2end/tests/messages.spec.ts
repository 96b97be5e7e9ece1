import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { hydrated, signInTrio } from '../pages/sign-in-page';

test('reading a message lowers the unread count in the navigation (M2)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await hydrated(page);
  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  const count = nav.getByTestId('unread-count');
  // The provider's message and the two data alerts of the demo, and whatever earlier tests
  // added (a move request puts its status in the inbox).
  await expect(count).toHaveText(/^\d+ non lus$/);
  const before = parseInt((await count.textContent())!, 10);
  expect(before).toBeGreaterThanOrEqual(3);
  await nav.getByRole('link', { name: /Messages/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Messages');
  const messages = page.getByTestId('message');
  await expect(page.getByTestId('message-unread')).toHaveCount(before);
  await expect(messages.filter({ hasText: 'Alerte de consommation' })).toHaveCount(2);
  expect(await seriousViolations(page)).toEqual([]);

  const provider = messages.filter({ hasText: 'Travaux sur le réseau à Liège' });
  await provider.locator('summary').click();
  await expect(provider.locator('.message-body')).toContainText('Aucune action de votre part');
  await expect(count).toHaveText(`${before - 1} non lus`);
  await expect(provider.getByTestId('message-unread')).toHaveCount(0);
  // Still read after a reload: the server recorded it.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('unread-count')).toHaveText(`${before - 1} non lus`);
  await expect(page.getByTestId('message-unread')).toHaveCount(before - 1);
});
