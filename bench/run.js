// `npm run bench`: every benchmark, against the built package in dist/.
import { benchRecord } from './node-record.js'
import { benchScrub } from './node-scrub.js'

await benchRecord()
await benchScrub()
