import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteGatewayStore } from '../../src/server/gateway/sqlite-gateway-store.js'
import { describeGatewayStoreContract } from './gateway-store.contract.js'

// One temporary folder per test, made on the test's first open and removed after the test.
let directory: Promise<string> | undefined

const open = async () => {
  directory ??= mkdtemp(join(tmpdir(), 'tally-gateway-contract-'))
  // One instance store open at most, so that the contract also runs through evictions.
  return openSqliteGatewayStore({ dataDir: join(await directory, 'data'), maxOpenInstances: 1 })
}
const cleanup = async () => {
  const removing = directory
  directory = undefined
  if (removing !== undefined) await rm(await removing, { recursive: true, force: true })
}

describeGatewayStoreContract('SQLite', open, cleanup)
