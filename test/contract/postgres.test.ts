import { openPostgresStore } from '../../src/server/stores/postgres-store.js'
import { postgresTestSchemas } from '../support/postgres-schemas.js'
import { describeImportDumpContract } from './import-dump.contract.js'
import { describeInsightsContract } from './insights.contract.js'
import { describePingContract } from './ping.contract.js'
import { describeStoreContract } from './server-event-store.contract.js'
import { describeUserQuestionsContract } from './user-questions.contract.js'

// One schema per test, made on the test's first open and dropped after the test.
const schemas = postgresTestSchemas('tally_test_', 'store')

const open = async () =>
  openPostgresStore({
    connectionString: schemas.connectionString,
    schema: await schemas.schema(),
  })
const cleanup = schemas.cleanup

describeStoreContract('PostgreSQL', open, cleanup)
describeInsightsContract('PostgreSQL', open, cleanup)
describeImportDumpContract('PostgreSQL', open, cleanup)
describeUserQuestionsContract('PostgreSQL', open, cleanup)
describePingContract('PostgreSQL', open, cleanup)
