import type { PoolClient } from 'pg'
import { pendingMigrations, type Migration } from './migrations.js'
import {
  POSTGRES_METADATA,
  POSTGRES_PAYLOAD,
  postgresFlagRollupsMigration,
} from './postgres-flag-rollups.js'
import { blockDays, POSTGRES_DAY, SETTLED, UNSETTLED } from './rows.js'

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        subject TEXT UNIQUE NOT NULL
      );
      -- No foreign key to users: ingest would pay a lookup per row for nothing, since
      -- user_id always comes from userId().
      CREATE TABLE events (
        -- Byte order whatever the database's locale, as SQLite and JavaScript compare ids:
        -- the export order breaks ties by id.
        id TEXT COLLATE "C" PRIMARY KEY,
        user_id BIGINT NOT NULL,
        feature TEXT NOT NULL,
        action TEXT NOT NULL,
        client_timestamp TIMESTAMPTZ NOT NULL,
        timestamp TIMESTAMPTZ NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        -- JSON, not JSONB: JSONB refuses strings holding U+0000 or a lone surrogate, which
        -- privateMetadata may carry, and would reorder keys; the payload is read whole anyway.
        payload JSON NOT NULL,
        exported_at TIMESTAMPTZ,
        export_rejection TEXT,
        export_claimed_until TIMESTAMPTZ
      );
      CREATE INDEX events_export_queue ON events (received_at, id) WHERE ${UNSETTLED};
      CREATE INDEX events_settled_retention ON events (received_at) WHERE ${SETTLED};
    `,
  },
  {
    // The insights: the session id for the sessions question, indexes for the questions read
    // from raw events, and the daily rollups the other questions are answered from (day = UTC
    // days since the epoch), backfilled from the rows already stored.
    version: 2,
    sql: `
      ALTER TABLE events ADD COLUMN session_id TEXT NOT NULL DEFAULT '';
      UPDATE events SET session_id = ${POSTGRES_PAYLOAD} ->> 'sessionId';
      CREATE INDEX events_timestamp ON events (timestamp, session_id, feature);
      CREATE INDEX events_user_timestamp ON events (user_id, timestamp);
      CREATE TABLE usage_daily (
        day INTEGER NOT NULL,
        user_id BIGINT NOT NULL,
        feature TEXT COLLATE "C" NOT NULL,
        action TEXT COLLATE "C" NOT NULL,
        events BIGINT NOT NULL,
        PRIMARY KEY (day, user_id, feature, action)
      );
      CREATE TABLE active_days (
        day INTEGER NOT NULL,
        user_id BIGINT NOT NULL,
        PRIMARY KEY (day, user_id)
      );
      CREATE INDEX active_days_user ON active_days (user_id, day);
      -- Never pruned: one row a user, so that "new" means first active ever.
      CREATE TABLE first_days (
        user_id BIGINT PRIMARY KEY,
        day INTEGER NOT NULL
      );
      CREATE INDEX first_days_day ON first_days (day);
      INSERT INTO usage_daily (day, user_id, feature, action, events)
        SELECT ${POSTGRES_DAY}, user_id, feature, action, count(*)
        FROM events GROUP BY 1, 2, 3, 4;
      INSERT INTO active_days (day, user_id) SELECT DISTINCT day, user_id FROM usage_daily;
      INSERT INTO first_days (user_id, day) SELECT user_id, min(day) FROM active_days GROUP BY 1;
    `,
  },
  {
    // Coarser rollups, so that no question reads millions of rows at ten million events:
    // events per day and feature/action; per 32-day block (block = day / 32), a bitmask of the
    // days each user used each feature; per day and session, its least and greatest feature
    // (a session used two features in a window exactly when they differ there). The sessions
    // question no longer reads raw events, so their index narrows to the timestamp.
    version: 3,
    sql: `
      CREATE TABLE events_daily (
        day INTEGER NOT NULL,
        feature TEXT COLLATE "C" NOT NULL,
        action TEXT COLLATE "C" NOT NULL,
        events BIGINT NOT NULL,
        PRIMARY KEY (day, feature, action)
      );
      CREATE TABLE feature_blocks (
        block INTEGER NOT NULL,
        feature TEXT COLLATE "C" NOT NULL,
        user_id BIGINT NOT NULL,
        days BIGINT NOT NULL,
        PRIMARY KEY (block, feature, user_id)
      );
      CREATE TABLE session_days (
        day INTEGER NOT NULL,
        session_id TEXT COLLATE "C" NOT NULL,
        min_feature TEXT COLLATE "C" NOT NULL,
        max_feature TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (day, session_id)
      );
      INSERT INTO events_daily (day, feature, action, events)
        SELECT day, feature, action, sum(events) FROM usage_daily GROUP BY 1, 2, 3;
      INSERT INTO feature_blocks (block, feature, user_id, days)
        SELECT day / ${blockDays}, feature, user_id, bit_or(CAST(1 AS BIGINT) << (day % ${blockDays}))
        FROM usage_daily GROUP BY 1, 2, 3;
      INSERT INTO session_days (day, session_id, min_feature, max_feature)
        SELECT ${POSTGRES_DAY}, session_id, min(feature COLLATE "C"), max(feature COLLATE "C")
        FROM events GROUP BY 1, 2;
      DROP INDEX events_timestamp;
      CREATE INDEX events_timestamp ON events (timestamp);
    `,
  },
  {
    // The daily ping: which days the gateway answered, with the JSON as it left (the admin
    // page shows it). day = UTC days since the epoch, as in the rollups.
    version: 4,
    sql: `
      CREATE TABLE ping_log (
        day INTEGER PRIMARY KEY,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        reason TEXT,
        settled_at TIMESTAMPTZ NOT NULL
      );
    `,
  },
  {
    // Metadata filters (`where`) on flags from rollups: see postgres-flag-rollups.ts and the
    // SQLite step of the same version. Days before the first event still stored are not in
    // them, which `rollup_starts` keeps. Other filters read the payload, until version 6.
    version: 5,
    sql: postgresFlagRollupsMigration,
  },
  {
    // Metadata filters on other values (`where=durationMs:250`) without parsing payloads: the
    // event's pairs as text, as SQLite keeps them since its version 5 (see metadata-pairs.ts),
    // backfilled from the payloads. json_each_text gives each value as its JSON text, which
    // is how JavaScript writes a number.
    version: 6,
    sql: `
      ALTER TABLE events ADD COLUMN metadata TEXT NOT NULL DEFAULT ',';
      UPDATE events SET metadata = ',' || coalesce((
        SELECT string_agg(key || '=' || value || ',', '' ORDER BY n)
        FROM json_each_text(${POSTGRES_METADATA}) WITH ORDINALITY AS pair (key, value, n)), '')
      WHERE json_typeof(${POSTGRES_METADATA}) = 'object';
    `,
  },
]

/**
 * Creates the schema and applies the pending steps; run it inside a transaction. An advisory
 * lock keyed by the schema makes replicas starting at once wait for the first, then find
 * nothing to do: `CREATE … IF NOT EXISTS` alone races on the catalog's unique keys.
 * `schema` is a checked identifier (see postgres-store.ts).
 */
export async function migratePostgres(client: PoolClient, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tally-migrate:${schema}`])
  await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
  await client.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version INTEGER PRIMARY KEY,
       applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
     )`,
  )
  const { rows } = await client.query<{ version: number }>(
    'SELECT coalesce(max(version), 0) AS version FROM schema_migrations',
  )
  for (const step of pendingMigrations('postgres', postgresMigrations, rows[0]?.version ?? 0)) {
    await client.query(step.sql)
    await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [step.version])
  }
}
