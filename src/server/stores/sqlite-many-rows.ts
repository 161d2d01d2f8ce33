import type { Statement } from 'better-sqlite3'

/**
 * Rows per statement when a store writes many: each `run` is a call into the driver that binds
 * and steps one statement, which costs about as much as inserting a small row, so one
 * statement of many rows writes a batch in a fraction of the calls. 64 rows of the widest
 * table's 10 columns stay far below SQLite's 32,766 parameters.
 */
export const rowsPerStatement = 64

const valuesTexts = new Map<string, string>()

/** `(?, ?), (?, ?), …`: `rows` rows of `width` parameters, made once per shape. */
function valuesText(width: number, rows: number): string {
  const shape = `${width}x${rows}`
  let text = valuesTexts.get(shape)
  if (text === undefined) {
    text = Array<string>(rows)
      .fill(`(${Array<string>(width).fill('?').join(', ')})`)
      .join(', ')
    valuesTexts.set(shape, text)
  }
  return text
}

/**
 * A statement over many rows: `source` makes its SQL from the VALUES list it is given, and
 * each row binds `width` parameters in the order of the row's array.
 */
export interface ManyRows {
  width: number
  source: (values: string) => string
}

function eachStatement(
  sql: (source: string) => Statement,
  { width, source }: ManyRows,
  rows: readonly (readonly unknown[])[],
  run: (statement: Statement, parameters: unknown[]) => void,
): void {
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement)
    const parameters: unknown[] = []
    for (const row of chunk) {
      if (row.length !== width) throw new RangeError(`a row of ${width} values has ${row.length}`)
      for (const value of row) parameters.push(value)
    }
    run(sql(source(valuesText(width, chunk.length))), parameters)
  }
}

/** Runs the statement over every row, `rowsPerStatement` rows at a time. */
export function runRows(
  sql: (source: string) => Statement,
  statement: ManyRows,
  rows: readonly (readonly unknown[])[],
): void {
  eachStatement(sql, statement, rows, (prepared, parameters) => prepared.run(parameters))
}

/**
 * Runs a statement whose RETURNING clause names one column over every row, and gives that
 * column of every row it returned, in no promised order.
 */
export function returnedValues(
  sql: (source: string) => Statement,
  statement: ManyRows,
  rows: readonly (readonly unknown[])[],
): unknown[] {
  const returned: unknown[] = []
  eachStatement(sql, statement, rows, (prepared, parameters) => {
    for (const value of prepared.pluck().all(parameters)) returned.push(value)
  })
  return returned
}
