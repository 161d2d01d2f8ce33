import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteStore } from '../../src/server/stores/sqlite-store.js'
import { describeImportDumpContract } from './import-dump.contract.js'
import { describeInsightsContract } from './insights.contract.js'
import { describePingContract } from './ping.contract.js'
import { describeStoreContract } from './server-event-store.contract.js'
import { describeUserQuestionsContract } from './user-questions.contract.js'

// One temporary directory per test, made on the test's first open (a promise, so that
// stores opened at once share it) and removed after the test.
let directory: Promise<string> | undefined

const open = async () => {
  directory ??= mkdtemp(join(tmpdir(), 'tally-sqlite-'))
  // A directory that does not exist yet: the store creates it.
  return openSqliteStore({ path: join(await directory, 'data', 'tally.db') })
}
const cleanup = async () => {
  const removing = directory
  directory = undefined
  if (removing !== undefined) await rm(await removing, { recursive: true, force: true })
}

describeStoreContract('SQLite', open, cleanup)
describeInsightsContract('SQLite', open, cleanup)
describeImportDumpContract('SQLite', open, cleanup)
describeUserQuestionsContract('SQLite', open, cleanup)
describePingContract('SQLite', open, cleanup)
