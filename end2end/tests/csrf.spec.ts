import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '../fixtures';
import { hydrated, SignInPage } from '../pages/sign-in-page';

// QUALITY "CSRF" (issue 9): a page on another origin of the same site (another port on the
// same host, so the browser still sends the SameSite=Lax session cookie) posts a form to a
// state-changing server function. The server refuses it and nothing changes.

const CAMILLE = { email: 'camille.martin@example.fr', password: 'Satellite-demo-2024' };

/** Serves `html` on 127.0.0.1 at a free port until `close()`. */
async function attackerSite(html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

test('a form posted from another origin changes nothing (CSRF)', async ({ page, baseURL }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one browser is enough; the check is on the server');
  const signIn = new SignInPage(page);
  await signIn.open('/fr');
  await hydrated(page);
  await signIn.signIn(CAMILLE.email, CAMILLE.password);
  await expect(page).toHaveURL(/\/fr$/);
  await page.goto('/fr/account');
  const form = page.getByRole('region', { name: 'Coordonnées' });
  const names = ['first_name', 'last_name', 'email', 'phone', 'street', 'postal_code', 'city'];
  const values: Record<string, string> = {};
  for (const name of names) {
    values[name] = await form.locator(`input[name="${name}"]`).inputValue();
  }
  expect(values.city).not.toBe('Attackerville');

  // The forged request is otherwise valid: without the guard it would move Camille.
  const fields = names
    .map((name) => {
      const value = name === 'city' ? 'Attackerville' : values[name];
      return `<input type="hidden" name="${name}" value="${escape(value)}">`;
    })
    .join('');
  const site = await attackerSite(
    `<!DOCTYPE html><html lang="en"><title>Win a prize</title><body>
     <form id="f" method="post" action="${baseURL}/api/save_contact">${fields}</form>
     <script>document.getElementById('f').submit();</script></body></html>`,
  );
  try {
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/save_contact'));
    await page.goto(site.url);
    const response = await refused;
    expect(response.status()).toBe(403);
    expect(response.request().headers()['origin']).toBe(site.url.replace(/\/$/, ''));
  } finally {
    await site.close();
  }

  await page.goto('/fr/account');
  await expect(form.locator('input[name="city"]')).toHaveValue(values.city);
});
