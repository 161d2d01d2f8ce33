// Shared helpers for the benchmarks: timing with warm-up and a median over rounds, and
// a plain-text table.

/** Runs `round` (which returns { ops, ms }) `rounds` times after `warmup` rounds; returns the median ns per op. */
export async function medianNsPerOp(round, { warmup = 2, rounds = 7 } = {}) {
  for (let i = 0; i < warmup; i++) await round()
  const samples = []
  for (let i = 0; i < rounds; i++) {
    const { ops, ms } = await round()
    samples.push((ms * 1e6) / ops)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]
}

export function printTable(title, header, rows) {
  const table = [header, ...rows].map(row => row.map(String))
  const widths = header.map((_, column) => Math.max(...table.map(row => row[column].length)))
  const line = row => row.map((cell, column) => cell.padEnd(widths[column])).join('  ')
  console.log(`\n${title}`)
  console.log(line(table[0]))
  console.log(widths.map(width => '-'.repeat(width)).join('  '))
  for (const row of table.slice(1)) console.log(line(row))
}

export const format = {
  ns: value => `${value.toFixed(0)} ns`,
  us: value => `${value.toFixed(2)} µs`,
  mbps: value => `${value.toFixed(1)} MB/s`,
}
