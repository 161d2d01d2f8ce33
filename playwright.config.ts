import { defineConfig, devices } from '@playwright/test'
import { chromiumLaunchOptions } from './test/support/chromium.js'

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
    launchOptions: chromiumLaunchOptions,
  },
})
