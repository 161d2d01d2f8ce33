import { openPostgresGatewayStore } from '../../src/server/gateway/postgres-gateway-store.js'
import { postgresTestSchemas } from '../support/postgres-schemas.js'
import { describeGatewayStoreContract } from './gateway-store.contract.js'

// One gateway schema per test; its instances' schemas start with its name and go with it.
const schemas = postgresTestSchemas('tgw_', 'gateway store')

const open = async () =>
  // One instance store open at most, so that the contract also runs through evictions.
  openPostgresGatewayStore({
    connectionString: schemas.connectionString,
    schema: await schemas.schema(),
    maxOpenInstances: 1,
  })
const cleanup = schemas.cleanup

describeGatewayStoreContract('PostgreSQL', open, cleanup)
