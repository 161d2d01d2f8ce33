import type { GatewayPingStore, StoredPing } from './gateway-ping-store.js'

/** One instance as its latest ping up to the fleet's day described it. */
export interface FleetInstance {
  instance: string
  version: string
  /** The day its latest ping summarized, `YYYY-MM-DD`: how long it has been quiet. */
  lastPingDay: string
  dau: number
  wau: number
  mau: number
  stickiness: number
}

/** One feature across the fleet. */
export interface FleetFeature {
  feature: string
  /** Instances whose latest ping counts events of the feature in its 30 days. */
  instances: number
  /**
   * The sum, over those instances, of the feature's distinct users in those 30 days
   * (`featureTotals[].month.users`). Instances are separate customers, so their users add up.
   */
  users: number
}

/** `GET /v1/fleet?at=`: every instance's latest ping up to `at`, and feature adoption across them. */
export interface FleetAnswer {
  at: string
  /** By instance id. */
  instances: FleetInstance[]
  /** Most instances first, then most users, then by name. */
  features: FleetFeature[]
}

/** What the fleet's answer reads from a gateway store. */
export type FleetPings = Pick<GatewayPingStore, 'latestPings'>

/**
 * The fleet at `at` (`YYYY-MM-DD`): for each instance its latest ping with day ≤ `at`, however
 * old (its `lastPingDay` says so), and for each feature the instances whose latest ping used it
 * (`month.events` > 0 in `featureTotals`: any event in the 30 days ending that ping's day) with
 * the sum of their `month.users` for it.
 */
export async function fleet(store: FleetPings, at: string): Promise<FleetAnswer> {
  return fleetOf(at, await store.latestPings(at))
}

/** {@link fleet} from the latest pings already read. */
export function fleetOf(at: string, latest: readonly StoredPing[]): FleetAnswer {
  const pings = latest.map(stored => stored.ping).sort((a, b) => compare(a.instance, b.instance))
  const features = new Map<string, FleetFeature>()
  for (const ping of pings) {
    for (const total of ping.featureTotals) {
      if (total.month.events === 0) continue
      const entry = features.get(total.feature) ?? {
        feature: total.feature,
        instances: 0,
        users: 0,
      }
      entry.instances += 1
      entry.users += total.month.users
      features.set(total.feature, entry)
    }
  }
  return {
    at,
    instances: pings.map(ping => ({
      instance: ping.instance,
      version: ping.version,
      lastPingDay: ping.day,
      dau: ping.dau,
      wau: ping.wau,
      mau: ping.mau,
      stickiness: ping.stickiness,
    })),
    features: [...features.values()].sort(
      (a, b) => b.instances - a.instances || b.users - a.users || compare(a.feature, b.feature),
    ),
  }
}

/** By code unit, as the stores sort text: the same order whatever the locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
