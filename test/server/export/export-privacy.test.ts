import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ExportMode } from '../../../src/protocol/config.js'
import type { JsonValue } from '../../../src/protocol/event.js'
import { parseAllowlist } from '../../../src/protocol/export-redaction.js'
import { CLOSE_MARKER, OPEN_MARKER } from '../../../src/protocol/markers.js'
import { redactable } from '../../../src/protocol/redactable.js'
import { createExportWorker } from '../../../src/server/export/export-worker.js'
import { ingested } from '../../support/server-events.js'
import { createMemoryServerEventStore } from '../memory-server-event-store.js'
import { instanceId, instanceKey, startHarness, testClock } from './harness.js'

// The property, end to end: what crosses the wire to a real gateway, and what the
// gateway stores, never holds a private value in redact mode, and nothing crosses in off mode.
const sentinel = 'SENTINEL'
const secret = fc.nat({ max: 1_000_000 }).map(n => `${sentinel}${String(n)}X`)
const noise = fc
  .string({ unit: fc.constantFrom(OPEN_MARKER, CLOSE_MARKER, 'a', ' ', '×', '"', '\\') })
  .filter(text => !text.includes(sentinel))
const unsafeValue = fc.oneof(
  secret,
  fc.tuple(noise, secret).map(([a, s]) => a + s),
  secret.map(s => ({ path: s })),
)
const redactableString = fc
  .tuple(fc.array(unsafeValue, { minLength: 1, maxLength: 3 }), fc.array(noise, { maxLength: 4 }))
  .map(([values, literals]) => {
    const parts = Array.from({ length: values.length + 1 }, (_, i) => literals[i] ?? '')
    return redactable(Object.assign([...parts], { raw: [...parts] }), ...values)
  })
const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.oneof(redactableString, fc.integer(), fc.constant(null), noise),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom('k', 'v'), redactableString), tie('value'), {
      maxKeys: 3,
    }),
  ),
})).value

const keys = ['query', 'path', 'repo']
const features = ['search', 'blob'] as const
const actions = ['submitted', 'viewed'] as const
const triples = features.flatMap(f => actions.flatMap(a => keys.map(k => `${f}::${a}::${k}`)))

const row = fc.record({
  feature: fc.constantFrom(...features),
  action: fc.constantFrom(...actions),
  privateMetadata: fc.dictionary(fc.constantFrom(...keys), fc.oneof(json, secret), {
    minKeys: 1,
  }),
})

describe('export privacy, end to end through a real gateway', () => {
  it('sends no private value in redact mode, and nothing at all in off mode', async () => {
    const harness = await startHarness()
    const clock = testClock()
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 4 }),
        fc.subarray(triples),
        fc.constantFrom<ExportMode>('redact', 'off'),
        async (specs, allowed, mode) => {
          const requestsBefore = harness.requests.length
          const storedBefore = await harness.gatewayStore.count(instanceId)
          const store = createMemoryServerEventStore(() => clock.ms)
          await store.insert(specs.map(spec => ingested(spec)))
          const allowlist = parseAllowlist(allowed)
          const worker = createExportWorker({
            store,
            gatewayUrl: harness.url,
            instanceId,
            instanceKey,
            mode,
            allowlist,
            now: clock.now,
          })
          const result = await worker.runOnce()

          if (mode === 'off') {
            expect(harness.requests).toHaveLength(requestsBefore)
            expect(await harness.gatewayStore.count(instanceId)).toBe(storedBefore)
            return
          }
          expect(result).toMatchObject({ status: 'exported', accepted: specs.length })
          const stored = (await harness.gatewayStore.list(instanceId, specs.length)).map(record =>
            JSON.stringify(record.event),
          )
          let seen = [harness.requests.at(-1)?.body ?? '', ...stored].join('\n')
          // A plain string under an allowlisted key leaves by design; nothing else may.
          for (const spec of specs) {
            for (const [key, value] of Object.entries(spec.privateMetadata)) {
              const triple = `${spec.feature}::${spec.action}::${key}`
              if (
                allowed.includes(triple) &&
                typeof value === 'string' &&
                !value.includes(OPEN_MARKER)
              ) {
                seen = seen.replaceAll(JSON.stringify(value), '')
              }
            }
          }
          expect(seen).not.toContain(sentinel)
        },
      ),
      { numRuns: 300 },
    )
  }, 60_000)
})
