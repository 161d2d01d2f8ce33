import { buildBrowserBundle } from './bundle.js'

/** Builds the browser bundle once per run, before any worker starts. */
export default async function globalSetup(): Promise<void> {
  await buildBrowserBundle()
}
