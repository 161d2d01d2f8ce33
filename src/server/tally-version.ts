/**
 * Tally's version, as the daily ping reports it. A constant rather than package.json read at
 * run time: the server entry may be bundled into an embedder's app, where the nearest
 * package.json is the app's. test/server/tally-version.test.ts holds it to package.json.
 */
export const tallyVersion = '0.1.0'
