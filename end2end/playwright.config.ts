import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium; Playwright never downloads a browser here (TOOLCHAIN.md).
const launchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
};

const port = process.env.E2E_PORT ?? '3100';
const baseURL = `http://127.0.0.1:${port}`;
const serverBin = process.env.SERVER_BIN;
if (!serverBin) {
  throw new Error('SERVER_BIN is not set: run the tests through scripts/test');
}

export default defineConfig({
  testDir: './tests',
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'reports/results.json' }]],
  use: { baseURL, trace: 'off' },
  projects: [
    {
      name: 'desktop',
      testIgnore: /nojs\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], launchOptions },
    },
    {
      name: 'phone',
      testIgnore: /nojs\.spec\.ts/,
      use: { ...devices['Pixel 7'], launchOptions },
    },
    {
      name: 'nojs',
      testMatch: /nojs\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: false, launchOptions },
    },
  ],
  webServer: {
    command: serverBin,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      SELFCARE_ADDR: `127.0.0.1:${port}`,
      SELFCARE_DEMO_DATA: 'true',
      SELFCARE_TODAY: '2026-11-22',
      SELFCARE_SITE_ROOT: process.env.SELFCARE_SITE_ROOT ?? '',
      SELFCARE_LOG: 'warn',
    },
  },
});
