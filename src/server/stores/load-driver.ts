import { createRequire } from 'node:module'
import { MissingDriverError } from '../errors/missing-driver-error.js'

// Both drivers are CommonJS optional peers: `require` at the moment a store is opened loads
// only the one that store needs, so an instance on SQLite never needs `pg` installed, and
// the store constructors stay synchronous.
const require = createRequire(import.meta.url)

const neededFor = {
  'better-sqlite3': 'the embedded SQLite store',
  pg: 'the PostgreSQL store (--database-url)',
} as const

export type DriverName = keyof typeof neededFor

/** The driver module, or a MissingDriverError that says what to install. */
export function loadDriver<T>(name: DriverName): T {
  try {
    return require(name) as T
  } catch (error) {
    // Only the driver itself missing: a broken install of it (a native binding that failed
    // to build) is a different problem, reported as it is.
    const missing =
      (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes(`'${name}'`)
    if (!missing) throw error
    throw new MissingDriverError(
      name,
      `${neededFor[name]} needs the ${name} package: npm install ${name}`,
      { cause: error },
    )
  }
}
