import { defineConfig, devices } from '@playwright/test'
import { prepareRun, webServers } from './test/e2e/pipeline/servers.js'
import { chromiumLaunchOptions } from './test/support/chromium.js'

// The pipeline suites' servers (test/e2e/pipeline/servers.ts): a real `tally gateway` and one
// `tally serve` per export configuration, each on port 0 with SQLite in the run's temporary
// folder, started in order before the tests and stopped with SIGTERM after them. Their URLs
// reach the workers as environment variables. They load dist/: run `npm run build` first.
prepareRun()

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // Bundles the built package (dist/) once per run; fails when `npm run build` was not run.
  globalSetup: './test/e2e/support/global-setup.ts',
  webServer: webServers(),
  fullyParallel: false,
  // Timing assertions (Retry-After, backoff counts) need the machine to themselves, and the
  // pipeline tests read the shared instances' counters between their own start and end.
  workers: 1,
  retries: 0,
  // The slowest tests cut the network for 20 s, then wait out one backoff step; they set
  // their own, longer timeouts.
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
