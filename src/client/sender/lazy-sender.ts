import type * as Sending from '../sending.js'
import { lazyChunk } from '../lazy-chunk.js'
import type { Sender, SenderDependencies } from './sender.js'

export interface LazySenderDependencies extends SenderDependencies {
  /** Runs `load` when the page is idle (or soon), so that the sender is there before it is due. */
  whenIdle: (load: () => void) => void
}

/**
 * The sender as the recording side sees it, before and after its chunk has loaded. Loading
 * starts at the first event written, in an idle period, or at once when a flush is asked; it
 * happens once and is kept, so that an unload send never waits on a fetch of code. Until
 * then what an unload would send stays in the store and the spill for the next load.
 */
type SendingModule = Pick<typeof Sending, 'createSender'>

/**
 * The chunk, once loaded: every client of the page shares it. Destructured, so that the Node
 * build, which inlines this import, takes the sender alone.
 */
const chunk = lazyChunk<SendingModule>(() =>
  import('../sending.js').then(({ createSender }) => ({ createSender })),
)

/**
 * Gives the sender at once, for builds that have no chunk to wait for: the Node entry
 * (editor hosts), whose bundle is one file.
 */
export const provideSender = chunk.provide

/** Loads the sender's chunk ahead of need: clients created after it resolves never wait for it. */
export function preloadSender(): Promise<void> {
  return chunk.load().then(() => {})
}

/** The sender's methods that the client calls (its state is the sender's own business). */
export interface LazySender extends Omit<Sender, 'state'> {
  /** Whether the sender is here: an unload send needs it, else the spill must keep more. */
  ready(): boolean
}

export function createLazySender(deps: LazySenderDependencies): LazySender {
  let real: Sender | undefined
  let idleAsked = false
  let count = 0
  let stopped = false

  const create = (module: SendingModule): Sender => {
    if (real) return real
    real = module.createSender(deps)
    if (stopped) real.stop()
    if (count > 0) real.stored(count)
    return real
  }

  // lazy-chunk.ts fetches the chunk once for every client of the page, and keeps it.
  const load = (): Promise<Sender> =>
    chunk.load().then(create, (error: unknown) => {
      // A failed fetch of the chunk (offline, a deploy replaced it) is tried again at a later
      // write or flush, once lazy-chunk.ts's wait is over; the events wait in the store.
      idleAsked = false
      throw error
    })

  // A chunk already here (a second client, the Node build): nothing to wait for.
  const here = chunk.now()
  if (here) create(here)

  return {
    ready: () => real !== undefined,
    count: () => real?.count() ?? count,
    stored(next) {
      if (real) return real.stored(next)
      count = next
      if (idleAsked || next === 0) return
      idleAsked = true
      deps.whenIdle(() => {
        load().catch(() => {})
      })
    },
    flush: options =>
      load().then(
        sender => sender.flush(options),
        () => {},
      ),
    resume: () => real?.resume(),
    sendAtUnload: events => real?.sendAtUnload(events),
    anotherSends: () => real?.anotherSends() ?? false,
    stop() {
      stopped = true
      real?.stop()
    },
    start() {
      stopped = false
      real?.start()
    },
  }
}
