import type { TelemetryEvent } from '../protocol/event.js'
import type { Scrubber } from '../protocol/scrub.js'
import { EventsDroppedError, type DropReason } from './errors/events-dropped-error.js'
import { StorageError } from './errors/storage-error.js'
import type { ErrorReporter } from './error-reporter.js'
import { judgeNow, loadJudge } from './lazy-judge.js'
import { PendingBuffer } from './pending-buffer.js'
import { firstRetryMs, nextRetryMs } from './retry-wait.js'
import type { Draft, Recorder } from './recorder.js'
import type { Spill } from './platform/platform.js'
import type { Counters } from './stats.js'
import type { EventStore, StoredEvent } from './stores/event-store.js'
import { scrubbedEntry } from './unjudged.js'

export interface QueueDependencies {
  store: EventStore
  /** Events each memory buffer holds at most: the queue's own bound. */
  maxEvents: number
  counters: Counters
  report: ErrorReporter
  /** Told the store's count after each append; the sender keeps it from there. */
  onWritten: (count: number) => void
  /** Turns drafts into events to judge, in the batched step. */
  process: Recorder['process']
  /** The scrubber the judging applies, and the unload's copy of what is not judged yet. */
  scrub: Scrubber
  /**
   * A page's spill: what earlier pages spilled is taken back and judged once the judge's chunk
   * is here, and this tab's events are kept aside for an unload send. A plain queue has none.
   */
  spill?: Pick<Spill, 'take'> | undefined
}

/**
 * This tab's own events not yet acknowledged, kept in memory for a send at unload, when the
 * store can no longer be read. Bounded: older ones are still in the store for the next load.
 */
const maxRemembered = 1_000

/** Why an overflow drop happened where the store did not keep up (slow, or failing). */
const bufferFull = 'memory buffer full'

/**
 * The path from `recordEvent` to the store: bounded memory buffers, judged and written in one
 * store append per task, which also remember what an unload must rescue. `recordEvent` only
 * adds a draft; processing, validation and scrubbing run here, once for all the drafts of a
 * task, and always before an event reaches the store, the spill or the wire. Until the judge's
 * chunk is here (lazy-judge.ts), processed events wait for it in memory.
 */
export function createQueue(deps: QueueDependencies) {
  const { store, counters, report, scrub } = deps
  const drafts = new PendingBuffer<Draft>(deps.maxEvents)
  const unjudged = new PendingBuffer<TelemetryEvent>(deps.maxEvents)
  const pending = new PendingBuffer(deps.maxEvents)
  let inWrite: StoredEvent[] = []
  let writing: Promise<void> = Promise.resolve()
  let writeScheduled = false
  const remembered = new Map<string, StoredEvent>()
  let spill = deps.spill
  let retry: ReturnType<typeof setTimeout> | undefined
  let retryMs = firstRetryMs
  let stopped = false

  const buffered = () => drafts.length + unjudged.length + pending.length

  /** Counts `count` events dropped for `reason` and reports it; nothing for none. */
  const countDrops = (count: number, detail: string, reason: DropReason = 'overflow') => {
    if (count === 0) return
    counters.dropped[reason] += count
    report(new EventsDroppedError(reason, count, detail))
  }

  const keep = (entry: StoredEvent) => {
    countDrops(pending.push(entry), bufferFull)
    if (deps.spill) remembered.set(entry.event.id, entry)
  }

  /**
   * Forgets the oldest remembered events past the bound, once per batch: a fresh iterator per
   * event would skip over every entry deleted before it, which V8 keeps until it rehashes.
   */
  const trimRemembered = () => {
    for (const id of remembered.keys()) {
      if (remembered.size <= maxRemembered) return
      remembered.delete(id)
    }
  }

  /**
   * The batched step: every draft processed, then validated and scrubbed, invalid ones
   * counted. False while the judge's chunk is not here: the processed events wait for it, and
   * an earlier page's spill stays in storage.
   */
  const ready = (): boolean => {
    for (const draft of drafts.take()) countDrops(unjudged.push(deps.process(draft)), bufferFull)
    const chunk = judgeNow()
    if (!chunk) return false
    if (spill) {
      // Older than anything this page recorded: they go first.
      countDrops(unjudged.restore(chunk.readSpilled(spill.take())), bufferFull)
      spill = undefined
    }
    for (const event of unjudged.take()) {
      const outcome = chunk.judge(event, scrub)
      if (outcome.ok) {
        keep(outcome.entry)
      } else {
        counters.dropped.invalid++
        report(outcome.error)
      }
    }
    trimRemembered()
    return true
  }

  /**
   * What an unload keeps of the events not judged yet: scrubbed copies (unjudged.ts). One that
   * cannot be copied is one validation would refuse; it stays here, for the judge to count
   * and report should the page stay after all, and goes uncounted with a page that does not.
   */
  const scrubbedUnjudged = (): StoredEvent[] => {
    const copies: StoredEvent[] = []
    for (const event of unjudged.peek()) {
      const entry = scrubbedEntry(event, scrub)
      if (entry) copies.push(entry)
    }
    return copies
  }

  /** Events whose durable write may not have committed: what a spill must keep. */
  const unwritten = (): StoredEvent[] => {
    const judged = ready()
    return [...inWrite, ...pending.peek(), ...(judged ? [] : scrubbedUnjudged())]
  }

  const write = async () => {
    writeScheduled = false
    if (!ready()) {
      // The events wait in memory, within the bound, and a write follows the judge; later
      // writes are not held behind its fetch. A failed fetch is tried again at the next write,
      // or on a timer (once lazy-chunk.ts's wait allows it) if there is something to judge.
      loadJudge().then(schedule, () => {
        if (unjudged.length > 0 || spill) retryLater()
      })
      return
    }
    while (pending.length > 0) {
      inWrite = pending.take()
      try {
        const { count, dropped } = await store.append(inWrite)
        deps.onWritten(count)
        countDrops(dropped, 'queue full')
      } catch (cause) {
        // Keep the events for the next write rather than lose them, within the bound.
        countDrops(pending.restore(inWrite), bufferFull)
        report(new StorageError('Queue write failed; events kept in memory', { cause }))
        retryLater()
        return
      } finally {
        inWrite = []
      }
    }
    retryMs = firstRetryMs
  }

  /**
   * Writes again later what a failed write left in memory (the store refused, or the judge's
   * chunk did not come): a page may record nothing more to prompt it. The wait doubles from
   * 1 s to 5 min, and a write that empties the buffers resets it.
   */
  const retryLater = () => {
    if (retry || stopped) return
    retry = setTimeout(() => {
      retry = undefined
      void schedule()
    }, retryMs)
    // In Node (editor extension hosts) a pending retry must not keep the process alive.
    ;(retry as { unref?: () => void }).unref?.()
    retryMs = nextRetryMs(retryMs)
  }

  const schedule = (): Promise<void> => {
    if (!writeScheduled) {
      writeScheduled = true
      // One write for everything recorded in the same task: one store transaction per event
      // would cost more than the recording itself.
      writing = writing.then(write, write)
    }
    return writing
  }

  /** Resolves once what was recorded so far is written, the judge's fetch awaited if need be. */
  const persist = (): Promise<void> =>
    judgeNow()
      ? schedule()
      : schedule()
          .then(loadJudge)
          .then(schedule, () => {})

  // An earlier page's spill is taken back at the first batched step with the judge here, even
  // if nothing is recorded before.
  if (spill) void persist()

  return {
    /** Takes a `recordEvent` call; the batched step runs at the end of the task. */
    add(draft: Draft) {
      countDrops(drafts.push(draft), bufferFull)
      void schedule()
    },
    /** Runs the batched step now, for what must be judged at once (stats, an unload). */
    ready,
    persist,
    unwritten,
    /**
     * This tab's unacknowledged events, oldest first: what an unload send carries. Built on
     * `unwritten()`, which a caller that has it already passes rather than judge and copy twice.
     */
    unacknowledged: (notWritten: readonly StoredEvent[] = unwritten()): StoredEvent[] => {
      // An id seen twice keeps its first place.
      const all = [...remembered.values(), ...notWritten]
      return [...new Map(all.map(entry => [entry.event.id, entry])).values()]
    },
    forget: (ids: readonly string[]) => {
      for (const id of ids) remembered.delete(id)
    },
    /** Stops the retries of failed writes: the client shuts down. */
    stop() {
      stopped = true
      clearTimeout(retry)
    },
    /** Events recorded and not yet handed to the store. */
    buffered,
    countDrops,
    /** Empties the buffer and the store; resolves with how many events were removed. */
    async clear(): Promise<number> {
      const held = drafts.take().length + unjudged.take().length + pending.take().length
      remembered.clear()
      await writing
      return held + (await store.clear())
    },
  }
}

export type Queue = ReturnType<typeof createQueue>
