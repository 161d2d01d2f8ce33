// An in-memory GatewayPingStore for the fleet's tests and benchmark: the pings role as
// gateway-ping-store.ts states it, kept per instance by day.
import type {
  GatewayPingStore,
  DayActiveUsers,
  PingActiveUsers,
  StoredPing,
} from '../../src/server/gateway/gateway-ping-store.js'
import type { InsightsStore } from '../../src/server/stores/insights-store.js'
import type { FleetSource } from '../../src/server/gateway/fleet-routes.js'

/** Sorts text by code unit, as the stores' days and ids sort. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export function createMemoryPingStore(): GatewayPingStore {
  /** instance → its pings, oldest first. */
  const byInstance = new Map<string, StoredPing[]>()
  const instances = () => [...byInstance.keys()].sort(byText)
  /** The index of the first ping of `list` past `day` (`strict`: day > it; else day ≥ it). */
  const bound = (list: readonly StoredPing[], day: string, strict: boolean) => {
    let [low, high] = [0, list.length]
    while (low < high) {
      const middle = (low + high) >> 1
      const other = (list[middle] as StoredPing).ping.day
      if (strict ? other <= day : other < day) low = middle + 1
      else high = middle
    }
    return low
  }
  const after = (list: readonly StoredPing[], day: string) => bound(list, day, true)
  const from = (list: readonly StoredPing[], day: string) => bound(list, day, false)
  const copy = (stored: StoredPing): StoredPing => structuredClone(stored)

  return {
    insertPing(ping, receivedAt) {
      const list = byInstance.get(ping.instance) ?? []
      byInstance.set(ping.instance, list)
      const index = after(list, ping.day)
      if (list[index - 1]?.ping.day === ping.day) return Promise.resolve(false)
      list.splice(index, 0, { ping: structuredClone(ping), receivedAt: new Date(receivedAt) })
      return Promise.resolve(true)
    },
    pings(instance, range = {}) {
      const list = byInstance.get(instance) ?? []
      const start = range.from === undefined ? 0 : from(list, range.from)
      const end = range.to === undefined ? list.length : after(list, range.to)
      return Promise.resolve(list.slice(start, end).map(copy))
    },
    activeUsersByDay(first, last) {
      const sums = new Map<string, DayActiveUsers>()
      for (const list of byInstance.values()) {
        for (const { ping } of list.slice(from(list, first), after(list, last))) {
          const sum = sums.get(ping.day) ?? { day: ping.day, dau: 0, wau: 0, mau: 0 }
          sums.set(ping.day, {
            day: ping.day,
            dau: sum.dau + ping.dau,
            wau: sum.wau + ping.wau,
            mau: sum.mau + ping.mau,
          })
        }
      }
      return Promise.resolve([...sums.values()].sort((a, b) => byText(a.day, b.day)))
    },
    pingActiveUsers(keys) {
      const found: PingActiveUsers[] = []
      for (const { instance, day } of keys) {
        const stored = byInstance.get(instance)?.find(entry => entry.ping.day === day)
        if (stored === undefined) continue
        const { dau, wau, mau } = stored.ping
        found.push({ instance, day, dau, wau, mau })
      }
      return Promise.resolve(found)
    },
    latestPings(at) {
      const found: StoredPing[] = []
      for (const instance of instances()) {
        const list = byInstance.get(instance) ?? []
        const last = list[after(list, at) - 1]
        if (last !== undefined) found.push(copy(last))
      }
      return Promise.resolve(found)
    },
    prunePings(before) {
      let pruned = 0
      for (const [instance, list] of byInstance) {
        const keep = list.filter(stored => stored.ping.day >= before)
        pruned += list.length - keep.length
        byInstance.set(instance, keep)
      }
      return Promise.resolve(pruned)
    },
  }
}

/**
 * A fleet source over the memory pings: `insights` as given per instance (an instance with none
 * answers undefined), `instances` those with pings or insights.
 */
export function createMemoryFleetSource(
  insights: ReadonlyMap<string, InsightsStore> = new Map(),
): FleetSource & GatewayPingStore {
  const pingStore = createMemoryPingStore()
  return {
    ...pingStore,
    insights: instance => Promise.resolve(insights.get(instance)),
    async instances() {
      const withPings = (await pingStore.latestPings('9999-12-31')).map(
        stored => stored.ping.instance,
      )
      return [...new Set([...withPings, ...insights.keys()])].sort(byText)
    },
  }
}
