import type { Database } from 'better-sqlite3'
import { pendingMigrations, type Migration } from './migrations.js'
import { blockDays, dayMs, SETTLED, UNSETTLED } from './rows.js'

/*
 * Dates are INTEGER milliseconds since the epoch: compact, ordered, and what `Date` holds.
 * The applied version lives in `PRAGMA user_version`, written in the same transaction as
 * the steps.
 */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT UNIQUE NOT NULL
      );
      -- No foreign key to users: ingest would pay a lookup per row for nothing, since
      -- user_id always comes from userId().
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL,
        feature TEXT NOT NULL,
        action TEXT NOT NULL,
        client_timestamp INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        payload TEXT NOT NULL,
        exported_at INTEGER,
        export_rejection TEXT,
        export_claimed_until INTEGER
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
      UPDATE events SET session_id = json_extract(payload, '$.sessionId');
      CREATE INDEX events_timestamp ON events (timestamp, session_id, feature);
      CREATE INDEX events_user_timestamp ON events (user_id, timestamp);
      CREATE TABLE usage_daily (
        day INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        feature TEXT NOT NULL,
        action TEXT NOT NULL,
        events INTEGER NOT NULL,
        PRIMARY KEY (day, user_id, feature, action)
      ) WITHOUT ROWID;
      CREATE TABLE active_days (
        day INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        PRIMARY KEY (day, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX active_days_user ON active_days (user_id, day);
      -- Never pruned: one row a user, so that "new" means first active ever.
      CREATE TABLE first_days (
        user_id INTEGER PRIMARY KEY,
        day INTEGER NOT NULL
      );
      CREATE INDEX first_days_day ON first_days (day);
      INSERT INTO usage_daily (day, user_id, feature, action, events)
        SELECT timestamp / ${dayMs}, user_id, feature, action, count(*)
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
        feature TEXT NOT NULL,
        action TEXT NOT NULL,
        events INTEGER NOT NULL,
        PRIMARY KEY (day, feature, action)
      ) WITHOUT ROWID;
      CREATE TABLE feature_blocks (
        block INTEGER NOT NULL,
        feature TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        days INTEGER NOT NULL,
        PRIMARY KEY (block, feature, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE session_days (
        day INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        min_feature TEXT NOT NULL,
        max_feature TEXT NOT NULL,
        PRIMARY KEY (day, session_id)
      ) WITHOUT ROWID;
      INSERT INTO events_daily (day, feature, action, events)
        SELECT day, feature, action, sum(events) FROM usage_daily GROUP BY 1, 2, 3;
      -- The days are distinct, so the sum of their bits is their OR.
      INSERT INTO feature_blocks (block, feature, user_id, days)
        SELECT day / ${blockDays}, feature, user_id, sum(1 << (day % ${blockDays}))
        FROM (SELECT DISTINCT day, feature, user_id FROM usage_daily) used GROUP BY 1, 2, 3;
      INSERT INTO session_days (day, session_id, min_feature, max_feature)
        SELECT timestamp / ${dayMs}, session_id, min(feature), max(feature) FROM events GROUP BY 1, 2;
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
        settled_at INTEGER NOT NULL
      );
    `,
  },
  {
    // Metadata filters (`where`) without parsing payloads. The flag rollups count, per the
    // event's flags (its metadata pairs at 0 or 1, see metadata-pairs.ts), events per day and
    // feature/action, and per 32-day block the days of each user, overall and per
    // feature/action; they are backfilled from the raw events still stored, the first day of
    // which `rollup_starts` keeps, since days before it are not in them. Other filters read
    // the raw events' pairs as text, from an index that covers the columns they ask about.
    // flag_feature_blocks leads with feature and action: it is read for one feature (and
    // action) over a few blocks, and a range on block first would read every feature's rows.
    version: 5,
    sql: `
      ALTER TABLE events ADD COLUMN metadata TEXT NOT NULL DEFAULT ',';
      -- The value as the payload's JSON text writes it (->), which is how JavaScript writes it.
      UPDATE events SET metadata = ',' || coalesce((
        SELECT group_concat(key || '=' || (events.payload -> ('$.parameters.metadata."' || key || '"')), ',') || ','
        FROM json_each(events.payload, '$.parameters.metadata')), '');
      DROP INDEX events_timestamp;
      CREATE INDEX events_timestamp ON events (timestamp, feature, action, user_id, metadata);
      CREATE TABLE flag_daily (
        day INTEGER NOT NULL,
        flags TEXT NOT NULL,
        feature TEXT NOT NULL,
        action TEXT NOT NULL,
        events INTEGER NOT NULL,
        PRIMARY KEY (day, flags, feature, action)
      ) WITHOUT ROWID;
      CREATE TABLE flag_blocks (
        block INTEGER NOT NULL,
        flags TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        days INTEGER NOT NULL,
        PRIMARY KEY (block, flags, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE flag_feature_blocks (
        block INTEGER NOT NULL,
        feature TEXT NOT NULL,
        action TEXT NOT NULL,
        flags TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        days INTEGER NOT NULL,
        PRIMARY KEY (feature, action, block, flags, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE rollup_starts (
        rollup TEXT PRIMARY KEY,
        day INTEGER NOT NULL
      );
      CREATE TEMP TABLE flagged AS
        SELECT timestamp / ${dayMs} AS day, user_id, feature, action, (
          SELECT ',' || group_concat(pair, ',' ORDER BY pair) || ','
          FROM (SELECT key || '=' || CASE WHEN value = 0 THEN '0' ELSE '1' END AS pair
                FROM json_each(events.payload, '$.parameters.metadata')
                WHERE type IN ('integer', 'real') AND value IN (0, 1))
        ) AS flags
        FROM events;
      DELETE FROM temp.flagged WHERE flags IS NULL;
      INSERT INTO flag_daily (day, flags, feature, action, events)
        SELECT day, flags, feature, action, count(*) FROM temp.flagged GROUP BY 1, 2, 3, 4;
      INSERT INTO flag_blocks (block, flags, user_id, days)
        SELECT day / ${blockDays}, flags, user_id, sum(1 << (day % ${blockDays}))
        FROM (SELECT DISTINCT day, flags, user_id FROM temp.flagged) used GROUP BY 1, 2, 3;
      INSERT INTO flag_feature_blocks (block, feature, action, flags, user_id, days)
        SELECT day / ${blockDays}, feature, action, flags, user_id, sum(1 << (day % ${blockDays}))
        FROM (SELECT DISTINCT day, feature, action, flags, user_id FROM temp.flagged) used
        GROUP BY 1, 2, 3, 4, 5;
      DROP TABLE temp.flagged;
      INSERT INTO rollup_starts (rollup, day)
        SELECT 'flags', min(timestamp) / ${dayMs} FROM events HAVING count(*) > 0;
    `,
  },
  {
    // The rollups are written behind the events, a write every many batches
    // (stores/sqlite-deferred-rollups.ts): every row up to the rowid `through` is counted in
    // them, none after it. Until now each insert counted its rows, so every row is.
    version: 6,
    sql: `
      CREATE TABLE rollup_progress (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        through INTEGER NOT NULL
      );
      INSERT INTO rollup_progress (id, through) SELECT 1, coalesce(max(rowid), 0) FROM events;
    `,
  },
]

/** Applies the pending steps in one IMMEDIATE transaction, so concurrent openers take turns. */
export function migrateSqlite(db: Database): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number
    const steps = pendingMigrations('sqlite', sqliteMigrations, current)
    for (const step of steps) db.exec(step.sql)
    const last = steps.at(-1)
    if (last !== undefined) db.pragma(`user_version = ${last.version}`)
  }).immediate()
}
