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

// One server and one fresh database per project, so that tests that change demo data (delete a
// link, become holder) run once per project against the data they expect.
const projects = [
  { name: 'desktop', port: 3100, device: devices['Desktop Chrome'], javaScriptEnabled: true },
  { name: 'phone', port: 3101, device: devices['Pixel 7'], javaScriptEnabled: true },
  { name: 'nojs', port: 3102, device: devices['Desktop Chrome'], javaScriptEnabled: false },
];
// The SMTP sink's ports (smtp-sink.cjs, mailbox.ts).
const smtpSinkPort = process.env.SMTP_SINK_PORT ?? '2525';
const smtpSinkHttpPort = process.env.SMTP_SINK_HTTP_PORT ?? '2526';
process.env.SMTP_SINK_HTTP_PORT = smtpSinkHttpPort;
const webhookSinkPort = process.env.WEBHOOK_SINK_PORT ?? '2527';
process.env.WEBHOOK_SINK_PORT = webhookSinkPort;
const serverBin = process.env.SERVER_BIN;
const databaseBase = process.env.E2E_DATABASE_BASE;
if (!serverBin || !databaseBase) {
  throw new Error('SERVER_BIN and E2E_DATABASE_BASE are not set: run the tests through scripts/test');
}

export default defineConfig({
  testDir: './tests',
  workers: 1,
  retries: 0,
  // Generous for a 2-core machine that may be building cargo-deny in the background (scripts/test).
  timeout: 45_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'reports/results.json' }]],
  use: { trace: 'off' },
  projects: projects.map((p) => ({
    name: p.name,
    // The JavaScript-off project runs the plain-HTML journeys and the 360 px checks (which
    // skip themselves on the desktop).
    ...(p.javaScriptEnabled ? { testIgnore: /nojs\.spec\.ts/ } : { testMatch: /(nojs|narrow|mail|provider)\.spec\.ts/ }),
    use: {
      ...p.device,
      javaScriptEnabled: p.javaScriptEnabled,
      baseURL: `http://127.0.0.1:${p.port}`,
      launchOptions,
    },
  })),
  webServer: [
    // The SMTP server the portal's mails go to (issue 27); the tests read them over HTTP.
    {
      command: 'node smtp-sink.cjs',
      url: `http://127.0.0.1:${smtpSinkHttpPort}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { SMTP_SINK_PORT: smtpSinkPort, SMTP_SINK_HTTP_PORT: smtpSinkHttpPort },
    },
    // The provider's webhook endpoint (issue 28): keeps the signed events each portal sends.
    {
      command: 'node webhook-sink.cjs',
      url: `http://127.0.0.1:${webhookSinkPort}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { WEBHOOK_SINK_PORT: webhookSinkPort },
    },
    ...projects.map((p) => ({
      command: serverBin,
      url: `http://127.0.0.1:${p.port}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
      env: {
        DATABASE_URL: `${databaseBase}/selfcare_e2e_${p.name}`,
        SELFCARE_ADDR: `127.0.0.1:${p.port}`,
        SELFCARE_DEMO_DATA: 'true',
        SELFCARE_TODAY: '2026-11-22',
        SELFCARE_SITE_ROOT: process.env.SELFCARE_SITE_ROOT ?? '',
        SELFCARE_LOG: 'warn',
        SELFCARE_SMTP_URL: `smtp://127.0.0.1:${smtpSinkPort}`,
        SELFCARE_MAIL_FROM: 'Lumen Telecom <no-reply@lumen.example>',
        SELFCARE_PUBLIC_URL: `http://127.0.0.1:${p.port}`,
        SELFCARE_WEBHOOK_URL: `http://127.0.0.1:${webhookSinkPort}/${p.name}`,
        // The same secret as tests/provider.spec.ts checks the signatures with.
        SELFCARE_WEBHOOK_SECRET: 'e2e-webhook-secret-0123456789abcdef0123',
        // Every call of the whole suite comes from 127.0.0.1: one client address would use up
        // the per-address allowance of a real one (the limiter has its own HTTP test).
        SELFCARE_PER_ADDRESS_BURST: '100000',
      },
    })),
  ],
});
