// What the specs of the admin and fleet pages check on every page: its CSP reports, and a
// full-page screenshot to look at.
import type { Page, TestInfo } from '@playwright/test'
import { root } from '../pipeline/servers.js'

/**
 * Every CSP violation the page reports: on the console for every page loaded, and by event
 * for the page shown now (the listener is added again at each load).
 */
export async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const logged: string[] = []
  page.on('console', message => {
    if (/content security policy/i.test(message.text())) logged.push(message.text())
  })
  // Injected by the browser's debugging protocol, so the page's CSP does not apply to it.
  await page.addInitScript(() => {
    const seen: string[] = []
    Object.assign(window, { cspViolations: seen })
    document.addEventListener('securitypolicyviolation', event => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`)
    })
  })
  return async () => [
    ...logged,
    ...(await page.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    )),
  ]
}

/** Signs in to an admin or fleet page with its key. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.locator('input[name="token"]').fill(key)
  await page.locator('form[data-testid="sign-in"] [type="submit"]').click()
}

/** A full-page screenshot, written to test-results/`name`.png and attached to the test. */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const body = await page.screenshot({ path: `${root}test-results/${name}.png`, fullPage: true })
  await testInfo.attach(name, { body, contentType: 'image/png' })
}
