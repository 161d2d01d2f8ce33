import type { Database, Statement } from 'better-sqlite3'

/**
 * The statement for a SQL text, prepared on first use and kept for the connection's life:
 * preparing costs more than running the small statements a store repeats, and before
 * `migrate()` their tables may not exist yet.
 */
export function preparedStatements(db: Database): (source: string) => Statement {
  const statements = new Map<string, Statement>()
  return source => {
    let statement = statements.get(source)
    if (statement === undefined) {
      statement = db.prepare(source)
      statements.set(source, statement)
    }
    return statement
  }
}
