import { blockDays, POSTGRES_DAY } from './rows.js'

/*
 * The flag rollups in PostgreSQL (see the version 4 migration): an event's flags are its
 * metadata pairs at 0 or 1, sorted, as `,key=0,key=1,` (see metadata-pairs.ts), NULL when it
 * has none. The payload is JSON, not JSONB, so json_each_text gives each value as its JSON text.
 */

/**
 * The row's `payload`, readable by PostgreSQL's json operators, which refuse a payload holding
 * the escape \u0000 or a lone surrogate escape anywhere (privateMetadata may hold both): each
 * such escape is turned into \ufffd, another six-character escape, so the JSON stays valid
 * whatever precedes it, and the rest (ids, names, numbers) is untouched. A payload without any
 * `\u` escape, nearly all of them, is read as it is.
 */
export const POSTGRES_PAYLOAD = `(CASE WHEN strpos(CAST(payload AS text), '\\u') = 0 THEN payload
  ELSE CAST(regexp_replace(CAST(payload AS text),
    '\\\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})', '\\\\ufffd', 'g') AS json)
  END)`

/** The row's `parameters.metadata` (see POSTGRES_PAYLOAD). */
export const POSTGRES_METADATA = `(${POSTGRES_PAYLOAD} -> 'parameters' -> 'metadata')`

/** The flags of the row's `payload`, as metadata-pairs.ts's flagSignature writes them. */
export const POSTGRES_FLAGS = `(
  SELECT ',' || string_agg(pair, ',' ORDER BY pair COLLATE "C") || ','
  FROM (
    SELECT key || '=' || CASE WHEN CAST(value AS double precision) = 0 THEN '0' ELSE '1' END AS pair
    FROM json_each_text(${POSTGRES_METADATA})
    WHERE CAST(value AS double precision) IN (0, 1)
  ) flag
)`

/**
 * The flags of the row's `metadata` pairs (`,key=value,`, see metadata-pairs.ts): the pairs
 * whose value JavaScript wrote as `0` or `1`, sorted. The same text as POSTGRES_FLAGS, from a
 * few dozen characters rather than the parsed payload: a sixth of an insert's time.
 */
export const POSTGRES_PAIRS_FLAGS = `(
  SELECT ',' || string_agg(pair, ',' ORDER BY pair COLLATE "C") || ','
  FROM unnest(string_to_array(metadata, ',')) AS pair
  WHERE split_part(pair, '=', 2) IN ('0', '1')
)`

/**
 * The statements that count the rows of an `inserted` CTE (day, user_id, feature, action,
 * flags) in the flag rollups, as CTEs to follow it in the insert's one statement: in key
 * order, like the other rollups, so that concurrent inserts lock rows in the same order.
 */
export const postgresFlagRollups = `
  flag_totals AS (
    INSERT INTO flag_daily (day, flags, feature, action, events)
    SELECT day, flags, feature, action, count(*) FROM inserted WHERE flags IS NOT NULL
    GROUP BY day, flags, feature, action ORDER BY day, flags, feature, action
    ON CONFLICT (day, flags, feature, action)
    DO UPDATE SET events = flag_daily.events + excluded.events
  ), flag_users AS (
    INSERT INTO flag_blocks (block, flags, user_id, days)
    SELECT day / ${blockDays}, flags, user_id, bit_or(CAST(1 AS BIGINT) << (day % ${blockDays}))
    FROM inserted WHERE flags IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (block, flags, user_id) DO UPDATE SET days = flag_blocks.days | excluded.days
  ), flag_feature_users AS (
    INSERT INTO flag_feature_blocks (block, feature, action, flags, user_id, days)
    SELECT day / ${blockDays}, feature, action, flags, user_id,
      bit_or(CAST(1 AS BIGINT) << (day % ${blockDays}))
    FROM inserted WHERE flags IS NOT NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (block, feature, action, flags, user_id)
    DO UPDATE SET days = flag_feature_blocks.days | excluded.days
  )`

/** The version 4 migration's tables, and their backfill from the events stored. */
export const postgresFlagRollupsMigration = `
  CREATE TABLE flag_daily (
    day INTEGER NOT NULL,
    flags TEXT COLLATE "C" NOT NULL,
    feature TEXT COLLATE "C" NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (day, flags, feature, action)
  );
  CREATE TABLE flag_blocks (
    block INTEGER NOT NULL,
    flags TEXT COLLATE "C" NOT NULL,
    user_id BIGINT NOT NULL,
    days BIGINT NOT NULL,
    PRIMARY KEY (block, flags, user_id)
  );
  CREATE TABLE flag_feature_blocks (
    block INTEGER NOT NULL,
    feature TEXT COLLATE "C" NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    flags TEXT COLLATE "C" NOT NULL,
    user_id BIGINT NOT NULL,
    days BIGINT NOT NULL,
    PRIMARY KEY (feature, action, block, flags, user_id)
  );
  CREATE TABLE rollup_starts (
    rollup TEXT PRIMARY KEY,
    day INTEGER NOT NULL
  );
  CREATE TEMPORARY TABLE flagged ON COMMIT DROP AS
    SELECT ${POSTGRES_DAY} AS day, user_id, feature, action, ${POSTGRES_FLAGS} AS flags
    FROM events;
  INSERT INTO flag_daily (day, flags, feature, action, events)
    SELECT day, flags, feature, action, count(*) FROM flagged WHERE flags IS NOT NULL
    GROUP BY 1, 2, 3, 4;
  INSERT INTO flag_blocks (block, flags, user_id, days)
    SELECT day / ${blockDays}, flags, user_id, bit_or(CAST(1 AS BIGINT) << (day % ${blockDays}))
    FROM flagged WHERE flags IS NOT NULL GROUP BY 1, 2, 3;
  INSERT INTO flag_feature_blocks (block, feature, action, flags, user_id, days)
    SELECT day / ${blockDays}, feature, action, flags, user_id,
      bit_or(CAST(1 AS BIGINT) << (day % ${blockDays}))
    FROM flagged WHERE flags IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO rollup_starts (rollup, day)
    SELECT 'flags', floor(extract(epoch FROM min(timestamp)) / 86400)::integer FROM events
    HAVING count(*) > 0;
`
