import { createHmac } from 'node:crypto';

import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { SignInPage, hydrated, registerFresh } from '../pages/sign-in-page';

const PASSWORD = 'a long enough passphrase';

/** RFC 4648 Base32 (spaces ignored). */
function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/\s/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The code an authenticator app shows, `offset` steps of 30 s from now (RFC 6238). */
function totp(secret: Buffer, offset = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', secret).update(counter).digest();
  const o = h[19] & 0x0f;
  const v = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(v % 1_000_000).padStart(6, '0');
}

test('two-factor sign-in: set up with the QR code, then sign in with a code (S2, S3)', async ({ page }) => {
  const email = await registerFresh(page, PASSWORD);
  await page.getByRole('link', { name: 'Security' }).click();
  await hydrated(page);
  const section = page.getByTestId('two-factor');
  await expect(section.getByTestId('two-factor-off')).toBeVisible();
  // Setting it up asks for the current password first (issue 24).
  await section.getByTestId('two-factor-start').click();
  await expect(section.locator('#two-factor-start-password-error')).toBeVisible();
  await section.getByLabel('Current password').fill(PASSWORD);
  await section.getByTestId('two-factor-start').click();
  await expect(section.getByRole('img', { name: 'QR code for the authenticator app' })).toBeVisible();
  const secret = base32Decode((await section.getByTestId('two-factor-secret').textContent())!);
  await section.getByLabel('Code from the app (6 digits)').fill(totp(secret));
  await section.getByTestId('two-factor-confirm').click();
  await expect(section.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await expect(section.getByTestId('two-factor-on')).toContainText('10 recovery codes left');
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByTestId('sign-out').click();
  const signIn = new SignInPage(page);
  await expect(page).toHaveURL(/\/sign-in$/);
  await hydrated(page);
  await signIn.signIn(email, PASSWORD);
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign-in code');
  const code = page.getByLabel('Code', { exact: true });
  const right = totp(secret, 1);
  await code.fill(String((Number(right) + 1) % 1_000_000).padStart(6, '0'));
  await page.getByTestId('code-submit').click();
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('.field-error')).toHaveText("This code is not correct or was already used. Enter the app's current code.");
  expect(await seriousViolations(page)).toEqual([]);
  await code.fill(right);
  await page.getByTestId('code-submit').click();
  await expect(page.getByTestId('sign-out')).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
});
