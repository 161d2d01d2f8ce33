// `npm run bench`: every benchmark, against the built package in dist/.
import { benchBrowser } from './browser.js'
import { benchRecord } from './node-record.js'
import { benchScrub } from './node-scrub.js'

await benchRecord()
await benchScrub()
await benchBrowser()
