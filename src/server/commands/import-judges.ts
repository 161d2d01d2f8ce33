import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { defaultScrubRules, type ScrubRule } from '../../protocol/scrub-rules.js'
import { createScrubber } from '../../protocol/scrub.js'
import { judgeLines, type JudgedLines, type LinesChunk } from './import-lines.js'

/** Judges chunks of import lines, each answer in the order the chunks were given. */
export interface LinesJudge {
  judge(chunk: LinesChunk): Promise<JudgedLines>
  close(): Promise<void>
}

/**
 * The built worker (rollup writes it beside the CLI and the server entry). Running from the
 * TypeScript sources, as the unit tests do, there is none, and the lines are judged in turn.
 */
const workerFile = new URL('./import-worker.js', import.meta.url)

function onThisThread(scrubRules: readonly ScrubRule[]): LinesJudge {
  const scrub = createScrubber([...defaultScrubRules, ...scrubRules])
  return { judge: async chunk => judgeLines(chunk, scrub), close: async () => undefined }
}

/**
 * The import's second thread: parsing, validating and scrubbing a line costs about a third of
 * storing it, so on two cores the worker judges the next chunk while this thread stores.
 */
function inWorker(scrubRules: readonly ScrubRule[]): LinesJudge {
  const worker = new Worker(workerFile, { workerData: { scrubRules } })
  const waiting: { resolve: (judged: JudgedLines) => void; reject: (error: Error) => void }[] = []
  let failure: Error | undefined
  const fail = (error: Error) => {
    failure ??= error
    for (const waiter of waiting.splice(0)) waiter.reject(failure)
  }
  worker.on('message', (judged: JudgedLines) => waiting.shift()?.resolve(judged))
  worker.on('error', fail)
  worker.on('exit', code => fail(new Error(`the import's worker thread exited (code ${code})`)))
  return {
    judge: chunk =>
      new Promise((resolve, reject) => {
        if (failure !== undefined) return reject(failure)
        waiting.push({ resolve, reject })
        worker.postMessage(chunk)
      }),
    close: async () => {
      worker.removeAllListeners('exit')
      await worker.terminate()
    },
  }
}

/**
 * A worker when asked for, built, and given rules a thread can receive (a replacement that is
 * a function cannot be sent); otherwise this thread.
 */
export function openLinesJudge(scrubRules: readonly ScrubRule[], worker: boolean): LinesJudge {
  if (!worker || !existsSync(fileURLToPath(workerFile))) return onThisThread(scrubRules)
  try {
    structuredClone(scrubRules)
  } catch {
    return onThisThread(scrubRules)
  }
  return inWorker(scrubRules)
}
