import { createMemoryPingStore } from '../support/memory-ping-store.js'
import { describeGatewayPingStoreContract } from './gateway-ping-store.contract.js'

// The fleet's test double keeps the promises of the gateway stores it stands in for.
describeGatewayPingStoreContract('Memory (test double)', async () => createMemoryPingStore())
