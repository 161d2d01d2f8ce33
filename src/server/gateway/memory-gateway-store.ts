import type { GatewayRecord, GatewayStore } from './gateway-store.js'

/** A gateway store in memory, for tests and throwaway gateways. */
export function createMemoryGatewayStore(): GatewayStore {
  const byInstance = new Map<string, Map<string, GatewayRecord>>()
  return {
    async insert(instance, events, receivedAt) {
      let records = byInstance.get(instance)
      if (!records) byInstance.set(instance, (records = new Map<string, GatewayRecord>()))
      let added = 0
      for (const { id, payload } of events) {
        if (records.has(id)) continue
        // A Map keeps insertion order, which is the order received.
        records.set(id, { instance, id, payload, receivedAt: new Date(receivedAt.getTime()) })
        added++
      }
      return added
    },
    async list(instance, limit) {
      const records = [...(byInstance.get(instance)?.values() ?? [])]
      return records.slice(Math.max(0, records.length - limit)).map(record => ({ ...record }))
    },
    async count(instance) {
      return byInstance.get(instance)?.size ?? 0
    },
    async close() {
      byInstance.clear()
    },
  }
}
