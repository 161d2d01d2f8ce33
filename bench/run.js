// `npm run bench`: every benchmark, against the built package in dist/ where it can.
import { benchBrowser } from './browser.js'
import { benchFileStore } from './node-file-store.js'
import { benchGateway } from './gateway.js'
import { benchFleet } from './fleet.js'
import { benchInsights } from './insights.js'
import { benchRecord } from './node-record.js'
import { benchScrub } from './node-scrub.js'
import { benchServer } from './server.js'

await benchRecord()
await benchScrub()
await benchFileStore()
// The server first: its SQLite ingest share is the last row of the browser table, which
// prints the figures together.
const ingestShare = await benchServer(
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
)
await benchBrowser({ ingestShare })
await benchGateway(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
await benchInsights(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
await benchFleet(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
