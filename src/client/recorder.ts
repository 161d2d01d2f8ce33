import type { TelemetryEvent } from '../protocol/event.js'
import type { Scrubber } from '../protocol/scrub.js'
import { estimateEventBytes } from '../protocol/event-size.js'
import { validateEvent } from '../protocol/validate.js'
import { InvalidEventError } from './errors/invalid-event-error.js'
import { ProcessorError } from './errors/processor-error.js'
import type { ErrorReporter } from './error-reporter.js'
import type { EventProcessor } from './processors.js'
import type { StoredEvent } from './stores/event-store.js'

export interface RecorderDependencies {
  processors: readonly EventProcessor[]
  scrub: Scrubber
  now: () => number
  newId: () => string
  report: ErrorReporter
}

export type RecordOutcome =
  { ok: true; entry: StoredEvent } | { ok: false; error: InvalidEventError }

/**
 * Turns a `recordEvent` call into a queued event: stamps it, runs the processors, scrubs
 * its private metadata, validates it and measures it. What the caller passed is copied,
 * never kept, so mutating it afterwards changes nothing.
 */
export function createRecorder(deps: RecorderDependencies) {
  return function build(feature: string, action: string, parameters: unknown): RecordOutcome {
    const given = (
      typeof parameters === 'object' && parameters !== null ? parameters : {}
    ) as Record<string, unknown>
    const draft = {
      id: deps.newId(),
      timestamp: new Date(deps.now()),
      feature,
      action,
      source: { client: '' },
      sessionId: '',
      parameters: { ...given, version: given.version ?? 0 },
    } as TelemetryEvent
    for (const processor of deps.processors) {
      try {
        processor.process(draft)
      } catch (cause) {
        deps.report(new ProcessorError(processor.name, { cause }))
      }
    }
    const result = validateEvent(draft, { scrub: deps.scrub })
    if (!result.valid)
      return { ok: false, error: new InvalidEventError(feature, action, result.problems) }
    const { event } = result
    return {
      ok: true,
      entry: { event, bytes: estimateEventBytes(event) },
    }
  }
}
