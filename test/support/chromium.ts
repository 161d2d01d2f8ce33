import { existsSync } from 'node:fs'
import type { LaunchOptions } from '@playwright/test'

// Debian's Chromium where it is installed (Playwright cannot download its own browser on
// machines without internet); elsewhere Playwright's own browser.
const systemChromium = '/usr/bin/chromium'

/** How the e2e tests and the browser benchmark launch Chromium. */
export const chromiumLaunchOptions: LaunchOptions = {
  ...(existsSync(systemChromium) ? { executablePath: systemChromium } : {}),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    // Without these Chromium keeps dialing Google's hosts, which a closed network refuses.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
}
