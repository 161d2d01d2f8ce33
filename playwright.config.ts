import { existsSync } from 'node:fs'
import { defineConfig, devices } from '@playwright/test'

// Debian's Chromium where it is installed (Playwright cannot download its own browser on
// machines without internet); elsewhere Playwright's own browser.
const systemChromium = '/usr/bin/chromium'

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // Bundles the built package (dist/) once per run; fails when `npm run build` was not run.
  globalSetup: './test/e2e/support/global-setup.ts',
  fullyParallel: false,
  // Timing assertions (Retry-After, backoff counts) need the machine to themselves.
  workers: 1,
  retries: 0,
  // The slowest tests cut the network for 20 s, then wait out one backoff step.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    ...devices['Desktop Chrome'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(existsSync(systemChromium) ? { executablePath: systemChromium } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
})
