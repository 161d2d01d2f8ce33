import { openSqliteStore } from '../src/server/stores/sqlite-store.js'
import { importIntoStore } from '../src/server/commands/import.js'
import { history, dumpLine } from './insights-history.js'
import { rmSync } from 'node:fs'
rmSync('/tmp/prof.db', { force: true }); rmSync('/tmp/prof.db-wal', { force: true })
const s = openSqliteStore({ path: '/tmp/prof.db' }); await s.migrate()
const N = 200000
const lines = [...history(N, 5000)].map(dumpLine)
const t = performance.now()
await importIntoStore(s, lines)
console.log('import rate', Math.round(N / ((performance.now() - t) / 1000)))
