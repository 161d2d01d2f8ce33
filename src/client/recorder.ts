import type { BillingMetadata, TelemetryEvent } from '../protocol/event.js'
import {
  maxPrivateMetadataBytes,
  maxPrivateMetadataDepth,
} from '../protocol/private-metadata-limits.js'
import { isPlainObject } from '../protocol/plain-data.js'
import { ProcessorError } from './errors/processor-error.js'
import type { ErrorReporter } from './error-reporter.js'
import type { EventProcessor } from './processors.js'

export interface RecorderDependencies {
  /** Becomes each event's `source`. */
  client: { name: string; version: string | undefined }
  /** A session lasts until this long passes without an event; its id is shared by its events. */
  sessionTimeoutMs: number
  /** Stamped on events that carry none of their own. */
  billingMetadata?: BillingMetadata | undefined
  /** The user's, run after the recorder's own enrichment. */
  processors: readonly EventProcessor[]
  now: () => number
  newId: () => string
  report: ErrorReporter
  /** The option of that name: read at record time, since the interaction is the caller's. */
  interactionId?: (() => string | undefined) | undefined
}

/** A `recordEvent` call as made: stamped and copied, not yet processed, checked or scrubbed. */
export interface Draft {
  id: string
  at: number
  feature: string
  action: string
  parameters: Record<string, unknown>
}

/**
 * Nodes a copy visits at most. A JSON value of more nodes encodes to more than the
 * privateMetadata limit (each costs at least 2 bytes), so validation refuses it whatever it
 * holds: it is left uncopied rather than cost the caller a walk of its whole size.
 */
const maxCopiedNodes = maxPrivateMetadataBytes / 2

/**
 * Copies what a caller passed deep enough that mutating it afterwards cannot change the event:
 * plain objects and arrays, down to one level past the depth validation allows. Anything else
 * (a Date, a class instance) is kept as is, for validation to refuse.
 */
function copy(value: unknown, depth: number, budget: { nodes: number }): unknown {
  if (typeof value !== 'object' || value === null || depth > maxPrivateMetadataDepth + 1) {
    return value
  }
  if (--budget.nodes < 0) return value
  if (Array.isArray(value)) {
    // An array longer than the budget is refused whatever it holds; mapping it first would
    // cost the caller seconds for `new Array(1e8)`, holes and all.
    return value.length > budget.nodes ? value : value.map(item => copy(item, depth + 1, budget))
  }
  if (!isPlainObject(value)) return value
  // Spread defines own properties, so a `__proto__` key stays a key, for validation to refuse.
  const out: Record<string, unknown> = { ...value }
  for (const key in out) {
    const item = out[key]
    if (typeof item === 'object' && item !== null && key !== '__proto__') {
      out[key] = copy(item, depth + 1, budget)
    }
  }
  return out
}

/**
 * Turns `recordEvent` calls into events in two steps. `draft` is all a call pays for: an id, a
 * time and a copy of its arguments. `process` runs later, in the queue's batched step: the
 * source, the session and the billing metadata, then the user's processors, which make the
 * draft an event still to be judged (validated, scrubbed and measured by judging.ts) before
 * it reaches the store.
 */
export function createRecorder(deps: RecorderDependencies) {
  const draft = (feature: string, action: string, parameters: unknown): Draft => {
    const given: object = typeof parameters === 'object' && parameters !== null ? parameters : {}
    const copied = (
      isPlainObject(given) ? copy(given, 0, { nodes: maxCopiedNodes }) : { ...given }
    ) as Record<string, unknown>
    copied.version ??= 0
    if (deps.interactionId && copied.interactionId === undefined) {
      try {
        const interactionId = deps.interactionId()
        if (interactionId !== undefined) copied.interactionId = interactionId
      } catch (cause) {
        deps.report(new ProcessorError('interaction', { cause }))
      }
    }
    return { id: deps.newId(), at: deps.now(), feature, action, parameters: copied }
  }

  const { client, billingMetadata } = deps
  const source =
    client.version === undefined
      ? { client: client.name }
      : { client: client.name, clientVersion: client.version }
  let sessionId = ''
  let lastEventAt = -Infinity

  const process = (given: Draft): TelemetryEvent => {
    // Sessions are measured on the events' own times, since this runs after recording, in a
    // batch.
    if (given.at - lastEventAt > deps.sessionTimeoutMs) sessionId = deps.newId()
    lastEventAt = given.at
    if (billingMetadata) given.parameters.billingMetadata ??= { ...billingMetadata }
    const event = {
      id: given.id,
      timestamp: new Date(given.at),
      feature: given.feature,
      action: given.action,
      source: { ...source },
      sessionId,
      parameters: given.parameters,
    } as unknown as TelemetryEvent
    for (const processor of deps.processors) {
      try {
        processor.process(event)
      } catch (cause) {
        deps.report(new ProcessorError(processor.name, { cause }))
      }
    }
    return event
  }

  return { draft, process }
}

export type Recorder = ReturnType<typeof createRecorder>
