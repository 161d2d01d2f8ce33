import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InvalidEventError } from '../../src/client/errors/invalid-event-error.js'
import { judge } from '../../src/client/judging.js'
import { createRecorder } from '../../src/client/recorder.js'
import { limits } from '../../src/protocol/event.js'
import { setup } from './setup.js'

function recorder(scrub: (value: string) => string) {
  let next = 0
  const now = () => Date.parse('2026-11-27T12:00:00Z')
  const newId = () => `id-${String(next++).padStart(8, '0')}`
  const { draft, process } = createRecorder({
    client: { name: 'web', version: undefined },
    sessionTimeoutMs: 60_000,
    processors: [],
    now,
    newId,
    report: () => {},
  })
  return (feature: string, action: string, parameters: unknown) =>
    judge(process(draft(feature, action, parameters)), scrub)
}

describe('the recorder bounds an event before it scrubs it', () => {
  it('refuses oversized privateMetadata without calling the scrubber', () => {
    const scrub = vi.fn((value: string) => value)
    const build = recorder(scrub)
    const outcome = build('search', 'submitted', {
      privateMetadata: { q: 'x'.repeat(limits.maxPrivateMetadataBytes + 1) },
    })
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error).toBeInstanceOf(InvalidEventError)
    expect(scrub).not.toHaveBeenCalled()
  })

  it('scrubs privateMetadata within the bounds', () => {
    const build = recorder(value => value.replace('secret', '[gone]'))
    const outcome = build('search', 'submitted', { privateMetadata: { q: 'a secret' } })
    expect(outcome).toMatchObject({
      ok: true,
      entry: { event: { parameters: { privateMetadata: { q: 'a [gone]' } } } },
    })
  })

  it('refuses an array of a hundred million holes without copying it', () => {
    // Copied, it cost recordEvent two seconds and 800 MB; now the draft holds it as given, and
    // validation stops at the bound.
    const list = new Array<unknown>(1e8)
    const { draft, process } = createRecorder({
      client: { name: 'web', version: undefined },
      sessionTimeoutMs: 60_000,
      processors: [],
      now: () => Date.parse('2026-11-27T12:00:00Z'),
      newId: () => 'id-00000000',
      report: () => {},
    })
    const drafted = draft('search', 'submitted', { privateMetadata: { list } })
    expect((drafted.parameters.privateMetadata as { list: unknown }).list).toBe(list)
    const outcome = judge(process(drafted), value => value)
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) {
      // The first hole: validation stops there.
      expect(outcome.error.problems.map(problem => problem.path)).toEqual([
        'parameters.privateMetadata.list.0',
      ])
    }
  })
})

describe('recordEvent with an Authorization header and 48,000 spaces (issue 11)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('drops the event as invalid', () => {
    const { telemetry } = setup()
    // It blocked the page for seconds while a scrub rule backtracked; now its size is judged
    // before any scrubbing (the spy tests above), and no rule backtracks (scrub-linear.test.ts).
    telemetry.recordEvent('search', 'submitted', {
      privateMetadata: { header: 'authorization:' + ' '.repeat(48_000) },
    })
    expect(telemetry.stats()).toMatchObject({ queued: 0, dropped: { invalid: 1 } })
  })
})
