import type { InsightsStore } from '../stores/insights-store.js'
import type { ServerEventStore } from '../stores/server-event-store.js'
import { toExported, toIngested } from './exported-rows.js'
import type { GatewayCatalog } from './gateway-catalog.js'
import type { GatewayRecord, GatewayStore } from './gateway-store.js'
import { cacheInstanceStores } from './instance-stores.js'

export interface CataloguedGatewayStoreOptions {
  catalog: GatewayCatalog
  dialect: InsightsStore['dialect']
  /** Opens and migrates the store of an instance's events. */
  openInstance: (instance: string) => Promise<ServerEventStore>
  /** Instance stores kept open at most, when none is in use. */
  maxOpenInstances: number
  /** Runs after every store is closed (the pool they share, a temporary folder). */
  onClose?: () => Promise<void>
}

// Every row of a gateway's instance store is settled when stored, so this never binds; the
// export backlog's bound is the instance's business, not the gateway's.
const noBacklogBound = Number.MAX_SAFE_INTEGER

// The gateway's receipt is the row's settlement (see exported-rows.ts); the same text in both
// dialects.
const newestIdsText =
  'SELECT id FROM events ORDER BY exported_at DESC NULLS LAST, received_at DESC, id DESC LIMIT @limit'
const newestIds = { sqlite: newestIdsText, postgres: newestIdsText }

const storeInsights = (store: ServerEventStore): InsightsStore => {
  // Both kinds the gateway opens keep insights; only the memory test double does not.
  if (store.insights === undefined) throw new Error(`a ${store.kind} store keeps no insights`)
  return store.insights
}

/**
 * A gateway store made of its catalog (instances and pings) and one instance store per
 * instance, opened on first use and cached: the same for SQLite and PostgreSQL.
 */
export function cataloguedGatewayStore(options: CataloguedGatewayStoreOptions): GatewayStore {
  const { catalog, dialect } = options
  const stores = cacheInstanceStores({
    open: options.openInstance,
    maxOpen: options.maxOpenInstances,
  })
  /** Instances recorded in the catalog by this process: each is written once. */
  const known = new Set<string>()
  let closing: Promise<void> | undefined

  const isKnown = async (instance: string) =>
    known.has(instance) || (await catalog.hasInstance(instance))

  /** An instance's insights, each call run with its store open, whatever the cache does meanwhile. */
  const insightsOf = (instance: string): InsightsStore => ({
    dialect,
    query: (sql, parameters) =>
      stores.use(instance, store => storeInsights(store).query(sql, parameters)),
    page: (after, limit) => stores.use(instance, store => storeInsights(store).page(after, limit)),
    pruneRollups: before =>
      stores.use(instance, store => storeInsights(store).pruneRollups(before)),
    settle: () => stores.use(instance, store => storeInsights(store).settle()),
  })

  return {
    async insert(instance, events, receivedAt) {
      if (!known.has(instance)) {
        await catalog.addInstance(instance, receivedAt)
        known.add(instance)
      }
      if (events.length === 0) return 0
      return stores.use(instance, async store => {
        const added = await store.insert(events.map(toIngested))
        // Settles the new rows with the gateway's receipt; rows stored before keep theirs (only
        // unsettled rows change), and a crash between the two is mended by the resend.
        await store.markExported(
          events.map(event => event.id),
          receivedAt,
        )
        return added
      })
    },

    async list(instance, limit) {
      if (!(await isKnown(instance))) return []
      return stores.use(instance, async store => {
        const found = await storeInsights(store).query(newestIds, { limit })
        const rows = await store.get(found.map(row => String(row.id)))
        return rows.reverse().map((row): GatewayRecord => ({
          instance,
          id: row.event.id,
          event: toExported(row),
          // Set by insert on every row it stores.
          receivedAt: row.exportedAt ?? row.receivedAt,
        }))
      })
    },

    async count(instance) {
      if (!(await isKnown(instance))) return 0
      return stores.use(instance, async store => (await store.stats()).total)
    },

    async insights(instance) {
      return (await isKnown(instance)) ? insightsOf(instance) : undefined
    },

    instances: () => catalog.instances(),

    async prune({ eventsBefore, rollupsBefore, pingsBefore }) {
      let events = 0
      let rollupRows = 0
      // One instance at a time: retention is background work, never worth a burst of opens.
      for (const instance of await catalog.instances()) {
        await stores.use(instance, async store => {
          const pruned = await store.prune({
            exportedBefore: eventsBefore,
            unexportedBefore: eventsBefore,
            maxUnexported: noBacklogBound,
          })
          events += pruned.exported + pruned.unexported
          rollupRows += await storeInsights(store).pruneRollups(rollupsBefore)
        })
      }
      const pings = await catalog.prunePings(pingsBefore)
      return { events, rollupRows, pings }
    },

    insertPing: async (ping, receivedAt) => {
      const added = await catalog.insertPing(ping, receivedAt)
      known.add(ping.instance)
      return added
    },
    pings: (instance, range) => catalog.pings(instance, range),
    activeUsersByDay: (from, to) => catalog.activeUsersByDay(from, to),
    pingActiveUsers: keys => catalog.pingActiveUsers(keys),
    latestPings: at => catalog.latestPings(at),
    prunePings: before => catalog.prunePings(before),

    close() {
      closing ??= (async () => {
        await stores.close()
        await catalog.close()
        await options.onClose?.()
      })()
      return closing
    },
  }
}
