import { parentPort, workerData } from 'node:worker_threads'
import { defaultScrubRules, type ScrubRule } from '../../protocol/scrub-rules.js'
import { createScrubber } from '../../protocol/scrub.js'
import { judgeLines, type LinesChunk } from './import-lines.js'

/**
 * The worker thread of `tally import` (built as dist/import-worker.js): it judges each chunk
 * of lines it is sent and answers with what they came to, in the order they came, while the
 * importing thread stores the chunk before. workerData holds the scrub rules added to the
 * defaults.
 */
const { scrubRules } = workerData as { scrubRules: readonly ScrubRule[] }
const scrub = createScrubber([...defaultScrubRules, ...scrubRules])
parentPort?.on('message', (chunk: LinesChunk) => {
  parentPort?.postMessage(judgeLines(chunk, scrub))
})
