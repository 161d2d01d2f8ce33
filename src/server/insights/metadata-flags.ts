import { dayMs } from '../stores/rows.js'
import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { MetadataFlagsAnswer } from './answers.js'
import type { WindowParameters } from './parameters.js'
import { countOf } from './read.js'

/** Flags listed at most: enough for every switch a feature records, bounded for the page. */
export const maxMetadataFlags = 50

/**
 * SQLite reads the payload's metadata; PostgreSQL the event's pairs (`,key=value,`, see
 * stores/metadata-pairs.ts), since its json functions refuse a whole payload whose
 * privateMetadata holds \u0000 or a lone surrogate. Metadata values are numbers (validation
 * refuses anything else), and JavaScript writes 1 as `1`.
 */
export const metadataFlagsSql: InsightsSql = {
  sqlite: `
    SELECT feature, action, flag.key AS key, count(*) AS events
    FROM events, json_each(events.payload, '$.parameters.metadata') AS flag
    WHERE user_id = @user_id AND timestamp >= @start_ms AND timestamp < @end_ms
      AND flag.value = 1
    GROUP BY feature, action, flag.key
    ORDER BY events DESC, feature, action, key
    LIMIT ${maxMetadataFlags}`,
  postgres: `
    SELECT feature, action, key, count(*) AS events
    FROM (
      SELECT feature, action, split_part(pair, '=', 1) AS key
      FROM events, unnest(string_to_array(metadata, ',')) AS pair
      WHERE user_id = @user_id
        AND timestamp >= to_timestamp(CAST(@start_ms AS double precision) / 1000)
        AND timestamp < to_timestamp(CAST(@end_ms AS double precision) / 1000)
        AND split_part(pair, '=', 2) = '1'
    ) flag
    GROUP BY feature, action, key
    ORDER BY events DESC, feature COLLATE "C", action COLLATE "C", key COLLATE "C"
    LIMIT ${maxMetadataFlags}`,
}

export interface MetadataFlagsParameters extends WindowParameters {
  userId: number
}

/**
 * **metadata flags** of one user in a window: for each feature, action and numeric metadata
 * key, the user's events with that key at 1 (`search`/`submitted` with `regex: 1`), so that
 * the usage page links straight to "regex searches by this user". Read from the raw events,
 * which are kept 90 days by default.
 */
export async function metadataFlags(
  store: InsightsStore,
  { userId, from, to }: MetadataFlagsParameters,
): Promise<MetadataFlagsAnswer> {
  const rows = await store.query(metadataFlagsSql, {
    user_id: userId,
    start_ms: from * dayMs,
    end_ms: (to + 1) * dayMs,
  })
  return {
    flags: rows.map(row => ({
      feature: String(row.feature),
      action: String(row.action),
      key: String(row.key),
      events: countOf(row, 'events'),
    })),
  }
}
