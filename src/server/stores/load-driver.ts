import type BetterSqlite3 from 'better-sqlite3'
import { createRequire } from 'node:module'
import type Pg from 'pg'
import { MissingDriverError } from '../errors/missing-driver-error.js'

// Both drivers are CommonJS optional peers: `require` at the moment a store is opened loads
// only the one that store needs, so an instance on SQLite never needs `pg` installed, and
// the store constructors stay synchronous.
const require = createRequire(import.meta.url)

const neededFor = {
  'better-sqlite3': 'the embedded SQLite store',
  pg: 'the PostgreSQL store (--database-url)',
} as const

interface Drivers {
  'better-sqlite3': typeof BetterSqlite3
  pg: typeof Pg
}

/** The driver module, or a MissingDriverError that says what to install. */
export function loadDriver<Name extends keyof Drivers>(name: Name): Drivers[Name] {
  try {
    return require(name) as Drivers[Name]
  } catch (error) {
    // Only the driver itself missing: a broken install of it (a native binding that failed
    // to build) is a different problem, reported as it is.
    const missing =
      (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
      (error as Error).message.includes(`'${name}'`)
    if (!missing) throw error
    throw new MissingDriverError(
      name,
      `${neededFor[name]} needs the ${name} package: npm install ${name}`,
      { cause: error },
    )
  }
}
