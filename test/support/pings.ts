// Pings as an instance would send them, for the gateway's and the fleet's tests.
import { pingId, type Ping, type PingCount } from '../../src/protocol/ping.js'

export interface PlantedPing {
  instance: string
  day: string
  version?: string
  dau: number
  wau: number
  mau: number
  /** Per feature: its events and users over the 30 days ending `day` (one action each). */
  features?: Record<string, PingCount>
}

/** A ping that checkPing accepts; the day's counts are the month's, scaled down. */
export function makePing(planted: PlantedPing): Ping {
  const names = Object.keys(planted.features ?? {}).sort()
  const month = (feature: string) => planted.features?.[feature] ?? { events: 0, users: 0 }
  const day = (feature: string) => ({
    events: Math.floor(month(feature).events / 30),
    users: Math.min(Math.floor(month(feature).users / 30), Math.floor(month(feature).events / 30)),
  })
  return {
    id: pingId(planted.instance, planted.day),
    instance: planted.instance,
    day: planted.day,
    version: planted.version ?? '1.0.0',
    store: 'sqlite',
    dau: planted.dau,
    wau: planted.wau,
    mau: planted.mau,
    stickiness: planted.mau === 0 ? 0 : planted.dau / planted.mau,
    features: names.map(feature => ({
      feature,
      action: 'used',
      day: day(feature),
      month: month(feature),
    })),
    featureTotals: names.map(feature => ({ feature, day: day(feature), month: month(feature) })),
  }
}

const dayMs = 86_400_000
/** `YYYY-MM-DD` of a UTC day since the epoch, and back. */
export const dayText = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10)
export const dayOfText = (text: string): number => Date.parse(`${text}T00:00:00Z`) / dayMs
