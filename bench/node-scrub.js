// The scrubbers: MB/s over realistic payloads (search queries, paths, URLs and log lines,
// about one string in twenty holding a secret), and over the same payloads with no secret.
import { performance } from 'node:perf_hooks'
import { createScrubber, defaultScrubRules } from '../dist/index.js'
import { format, medianNsPerOp, printTable } from './lib.js'

const innocent = [
  'repo:^github\\.com/sourcegraph/sourcegraph$ file:\\.ts$ useState',
  'src/client/telemetry.ts',
  'https://github.com/sourcegraph/sourcegraph/blob/main/README.md',
  'context.globalStorageUri',
  'lang:go func NewHandler(',
  'v6.1.0-rc.2',
  'commit 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39',
  'type:symbol HTTPServer count:all',
  'Error: ENOENT: no such file or directory, open package.json',
  'notebook: Search for deprecated APIs across 4,812 repositories',
]
const secrets = [
  'git clone https://x-access-token:ghs_' + 'aB3dE5fG7h'.repeat(3) + 'iJ9kLm@github.com/org/repo',
  'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz',
  'open /Users/alice/work/secret-project/main.go',
  'mail bob@example.com about https://ci.example.com/build?token=abc123def456',
]

/** 2,000 strings, one in twenty with a secret, each a few dozen to a few hundred bytes. */
function payloads(withSecrets) {
  const list = []
  for (let i = 0; i < 2_000; i++) {
    const base = innocent[i % innocent.length]
    const text =
      withSecrets && i % 20 === 0 ? `${base} ${secrets[(i / 20) % secrets.length]}` : base
    // Every string distinct (as real payloads are), so that the scrubber's memo of repeated
    // short strings does not flatter the rules' own throughput.
    list.push(`${i % 7 === 0 ? `${text} ${text} ${text}` : text} #${i}`)
  }
  return list
}

async function mbPerSecond(scrub, list) {
  const bytes = list.reduce((sum, text) => sum + Buffer.byteLength(text), 0)
  // 2,000 distinct strings cycle through the memo's 512 entries without a hit.
  const repeats = 20
  const nsPerByte = await medianNsPerOp(async () => {
    const start = performance.now()
    let sink = 0
    for (let r = 0; r < repeats; r++) for (const text of list) sink += scrub(text).length
    if (sink < 0) throw new Error('unreachable')
    return { ops: bytes * repeats, ms: performance.now() - start }
  })
  return 1e3 / nsPerByte
}

export async function benchScrub() {
  const scrub = createScrubber(defaultScrubRules)
  const rows = []
  for (const [name, list] of [
    ['realistic (1 in 20 with a secret)', payloads(true)],
    ['no secrets (the common case)', payloads(false)],
  ]) {
    rows.push([name, format.mbps(await mbPerSecond(scrub, list))])
  }
  printTable(
    `Scrubbers (${defaultScrubRules.length} default rules), throughput on Node ${process.version}`,
    ['payload', 'throughput'],
    rows,
  )
}
