// What an instance stored, read from its SQLite file beside the running server.
import { join } from 'node:path'
import Database from 'better-sqlite3'

/** One event as the instance stored it (SQLite `events`, joined to `users`). */
export interface StoredEvent {
  id: string
  userId: number
  subject: string | null
  feature: string
  action: string
  payload: Record<string, unknown> & {
    parameters: {
      metadata?: Record<string, number>
      privateMetadata?: Record<string, unknown>
    }
  }
}

export interface InstanceDb {
  /** The rows of these subjects (`session:<user>`), oldest first. */
  events(subjects: readonly string[]): StoredEvent[]
  /** The numeric id the instance gave a subject, once it sent something. */
  userId(subject: string): number | undefined
  /**
   * Takes SQLite's write lock from another connection, as a stuck writer would: the server's
   * inserts wait out its `busy_timeout` and fail, and it answers 503 until `release()`.
   */
  holdWriteLock(): { release(): void }
}

export function openInstanceDb(dir: string): InstanceDb {
  const path = join(dir, 'tally.db')
  // A connection per read: nothing stays open in the worker between polls.
  const query = <T>(sql: string, ...params: unknown[]): T[] => {
    const db = new Database(path, { readonly: true, fileMustExist: true })
    try {
      return db.prepare(sql).all(...params) as T[]
    } finally {
      db.close()
    }
  }
  return {
    events(subjects) {
      const rows = query<Omit<StoredEvent, 'payload'> & { payload: string }>(
        `SELECT e.id, e.user_id AS userId, u.subject, e.feature, e.action, e.payload
         FROM events e JOIN users u ON u.id = e.user_id
         WHERE u.subject IN (SELECT value FROM json_each(?))
         ORDER BY e.received_at, e.id`,
        JSON.stringify(subjects),
      )
      return rows.map(row => ({
        ...row,
        payload: JSON.parse(row.payload) as StoredEvent['payload'],
      }))
    },
    userId(subject) {
      return query<{ id: number }>('SELECT id FROM users WHERE subject = ?', subject)[0]?.id
    },
    holdWriteLock() {
      const db = new Database(path, { fileMustExist: true })
      db.pragma('busy_timeout = 10000')
      db.exec('BEGIN IMMEDIATE')
      return {
        release() {
          db.exec('ROLLBACK')
          db.close()
        },
      }
    },
  }
}
