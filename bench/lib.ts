// Shared helpers for the benchmarks: timing with warm-up and a median over rounds, and
// a plain-text table.

export interface Round {
  ops: number
  ms: number
}

/** Runs `round` `rounds` times after `warmup` rounds; returns the median ns per op. */
export async function medianNsPerOp(
  round: () => Promise<Round>,
  { warmup = 2, rounds = 7 } = {},
): Promise<number> {
  for (let i = 0; i < warmup; i++) await round()
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const { ops, ms } = await round()
    samples.push((ms * 1e6) / ops)
  }
  return median(samples)
}

/** The middle of `values` (the upper one of an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
}

export function printTable(title: string, header: string[], rows: string[][]): void {
  const table = [header, ...rows]
  const widths = header.map((_, column) =>
    Math.max(...table.map(row => (row[column] ?? '').length)),
  )
  const line = (row: string[]) =>
    row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')
  console.log(`\n${title}`)
  console.log(line(header))
  console.log(widths.map(width => '-'.repeat(width)).join('  '))
  for (const row of rows) console.log(line(row))
}

export const format = {
  ns: (value: number) => `${value.toFixed(0)} ns`,
  us: (value: number) => `${value.toFixed(2)} µs`,
  mbps: (value: number) => `${value.toFixed(1)} MB/s`,
}
