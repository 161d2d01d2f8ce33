import { runInNewContext } from 'node:vm'
import { describe, expect, it, vi } from 'vitest'
import { createErrorReporter } from '../../src/client/error-reporter.js'
import { DeliveryError } from '../../src/client/errors/delivery-error.js'
import { EventsDroppedError } from '../../src/client/errors/events-dropped-error.js'
import { InvalidEventError } from '../../src/client/errors/invalid-event-error.js'
import { InvalidOptionsError } from '../../src/client/errors/invalid-options-error.js'
import { ProcessorError } from '../../src/client/errors/processor-error.js'
import { StorageError } from '../../src/client/errors/storage-error.js'
import {
  isTallyError,
  TallyError,
  type TallyErrorCode,
} from '../../src/client/errors/tally-error.js'

const cause = new Error('QuotaExceededError')

const cases: {
  make: () => TallyError
  name: string
  code: TallyErrorCode
  message: string
}[] = [
  {
    make: () => new TallyError('storage', 'base'),
    name: 'TallyError',
    code: 'storage',
    message: 'base',
  },
  {
    make: () => new DeliveryError('HTTP 503', 2_000),
    name: 'DeliveryError',
    code: 'delivery',
    message: 'HTTP 503',
  },
  {
    make: () => new EventsDroppedError('overflow', 3, 'the queue is full'),
    name: 'EventsDroppedError',
    code: 'events-dropped',
    message: 'Dropped 3 events (overflow): the queue is full',
  },
  {
    make: () => new InvalidEventError('search', 'submitted', [{ path: 'feature', reason: 'bad' }]),
    name: 'InvalidEventError',
    code: 'invalid-event',
    message: 'Dropped event search/submitted: feature bad',
  },
  {
    make: () => new InvalidOptionsError('maxBatchEvents', 'must be at least 1'),
    name: 'InvalidOptionsError',
    code: 'invalid-options',
    message: 'Invalid option maxBatchEvents: must be at least 1',
  },
  {
    make: () => new ProcessorError('addPlan'),
    name: 'ProcessorError',
    code: 'processor',
    message: 'Event processor addPlan threw',
  },
  {
    make: () => new StorageError('IndexedDB is unavailable'),
    name: 'StorageError',
    code: 'storage',
    message: 'IndexedDB is unavailable',
  },
]

describe('error classes', () => {
  it.each(cases)('$name has its literal name, its code and its message', c => {
    const error = c.make()
    expect(error.name).toBe(c.name)
    expect(error.code).toBe(c.code)
    expect(error.message).toBe(c.message)
    expect(String(error)).toBe(`${c.name}: ${c.message}`)
    expect(error.suppressed).toBe(0)
  })

  it.each(cases)('$name is a TallyError and an Error, and passes isTallyError', c => {
    const error = c.make()
    expect(error).toBeInstanceOf(TallyError)
    expect(error).toBeInstanceOf(Error)
    expect(isTallyError(error)).toBe(true)
    expect(error.stack).toContain(c.name)
  })

  it.each([
    ['TallyError', () => new TallyError('delivery', 'x', { cause })],
    ['DeliveryError', () => new DeliveryError('x', undefined, { cause })],
    ['ProcessorError', () => new ProcessorError('p', { cause })],
    ['StorageError', () => new StorageError('x', { cause })],
  ])('%s keeps its cause', (_, make) => {
    expect(make().cause).toBe(cause)
  })

  it('has no cause unless given one', () => {
    expect(new StorageError('x')).not.toHaveProperty('cause')
  })

  it('DeliveryError says when the next attempt is due, or that sending is paused', () => {
    expect(new DeliveryError('HTTP 503', 2_000).retryInMs).toBe(2_000)
    expect(new DeliveryError('HTTP 401', undefined).retryInMs).toBeUndefined()
  })

  it('EventsDroppedError carries its reason and count, with a singular for one', () => {
    const error = new EventsDroppedError('rejected', 1, 'HTTP 422')
    expect(error.reason).toBe('rejected')
    expect(error.count).toBe(1)
    expect(error.message).toBe('Dropped 1 event (rejected): HTTP 422')
  })

  it('InvalidEventError names the first problem and counts the rest', () => {
    const error = new InvalidEventError('search', 'submitted', [
      { path: '', reason: 'is not an object' },
      { path: 'action', reason: 'x' },
      { path: 'feature', reason: 'y' },
    ])
    expect(error.message).toBe(
      'Dropped event search/submitted: event is not an object (and 2 more problems)',
    )
    expect(error.feature).toBe('search')
    expect(error.action).toBe('submitted')
    expect(error.problems).toHaveLength(3)
    expect(new InvalidEventError('a', 'b', []).message).toBe('Dropped event a/b: invalid')
  })

  it('InvalidOptionsError names the option', () => {
    expect(new InvalidOptionsError('flushIntervalMs', 'nope').option).toBe('flushIntervalMs')
  })

  it('hides the brand from enumeration and JSON', () => {
    const error = new StorageError('x')
    expect(JSON.stringify(error)).not.toContain('tally-telemetry')
    expect(Object.getOwnPropertySymbols(error)).toContain(Symbol.for('tally-telemetry.error'))
    expect(Object.getOwnPropertyDescriptor(error, Symbol.for('tally-telemetry.error'))).toEqual(
      expect.objectContaining({ enumerable: false, writable: false }),
    )
  })
})

describe('isTallyError', () => {
  it('recognises an error made in another realm, where instanceof fails', () => {
    const foreign: unknown = runInNewContext(`
      class ForeignTallyError extends Error {
        constructor(message) {
          super(message)
          this.name = 'DeliveryError'
          this.code = 'delivery'
          this.suppressed = 0
          Object.defineProperty(this, Symbol.for('tally-telemetry.error'), { value: true })
        }
      }
      new ForeignTallyError('from a webview')
    `)
    expect(foreign instanceof Error).toBe(false)
    expect(foreign instanceof TallyError).toBe(false)
    expect(isTallyError(foreign)).toBe(true)
  })

  it('recognises a structurally branded object from another copy of the package', () => {
    const copy = Object.assign(new Error('x'), { code: 'storage' })
    Object.defineProperty(copy, Symbol.for('tally-telemetry.error'), { value: true })
    expect(isTallyError(copy)).toBe(true)
  })

  it.each([
    ['a plain Error', new Error('x')],
    ['a TypeError', new TypeError('x')],
    ['an error from another realm without the brand', runInNewContext('new Error("x")')],
    ['a look-alike object', { name: 'DeliveryError', code: 'delivery', message: 'x' }],
    ['an object branded with a non-true value', { [Symbol.for('tally-telemetry.error')]: 'yes' }],
    ['an object branded with a private symbol', { [Symbol('tally-telemetry.error')]: true }],
    ['a string key instead of the symbol', { 'tally-telemetry.error': true }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'TallyError'],
    ['a number', 42],
  ])('refuses %s', (_, value) => {
    expect(isTallyError(value)).toBe(false)
  })
})

describe('createErrorReporter', () => {
  const interval = 60_000

  function reporter(handler: (error: TallyError) => void = () => {}) {
    let clock = 1_000_000
    const onError = vi.fn(handler)
    const report = createErrorReporter(onError, interval, () => clock)
    return {
      report,
      onError,
      advance: (ms: number) => {
        clock += ms
      },
    }
  }

  it('reports the first error of a code at once', () => {
    const { report, onError } = reporter()
    const error = new StorageError('x')
    report(error)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledWith(error)
    expect(error.suppressed).toBe(0)
  })

  it('holds back repeats within the interval, then reports one carrying how many were held', () => {
    const { report, onError, advance } = reporter()
    report(new DeliveryError('first', 1_000))
    for (let i = 0; i < 5; i++) {
      advance(1_000)
      report(new DeliveryError(`repeat ${String(i)}`, 1_000))
    }
    expect(onError).toHaveBeenCalledTimes(1)

    advance(interval - 5_000)
    const next = new DeliveryError('after the interval', 1_000)
    report(next)
    expect(onError).toHaveBeenCalledTimes(2)
    expect(onError).toHaveBeenLastCalledWith(next)
    expect(next.suppressed).toBe(5)
  })

  it('reports one a millisecond before the interval ends as held back, and on the dot as new', () => {
    const { report, onError, advance } = reporter()
    report(new StorageError('a'))
    advance(interval - 1)
    report(new StorageError('b'))
    expect(onError).toHaveBeenCalledTimes(1)
    advance(1)
    const onTime = new StorageError('c')
    report(onTime)
    expect(onError).toHaveBeenCalledTimes(2)
    expect(onTime.suppressed).toBe(1)
  })

  it('starts the count again after each report', () => {
    const { report, advance } = reporter()
    report(new StorageError('a'))
    report(new StorageError('held'))
    report(new StorageError('held'))
    advance(interval)
    report(new StorageError('b'))
    advance(interval)
    const quiet = new StorageError('c')
    report(quiet)
    expect(quiet.suppressed).toBe(0)
  })

  it('limits each code on its own', () => {
    const { report, onError } = reporter()
    report(new StorageError('a'))
    report(new DeliveryError('b', 1_000))
    report(new EventsDroppedError('overflow', 1, 'c'))
    report(new StorageError('held back'))
    report(new DeliveryError('held back', 1_000))
    expect(onError.mock.calls.map(([error]) => error.code)).toEqual([
      'storage',
      'delivery',
      'events-dropped',
    ])
  })

  it('limits by code, not by class: a base TallyError shares the storage budget', () => {
    const { report, onError } = reporter()
    report(new StorageError('a'))
    report(new TallyError('storage', 'b'))
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('with an interval of 0 reports every error', () => {
    const onError = vi.fn()
    const report = createErrorReporter(onError, 0, () => 5)
    for (let i = 0; i < 4; i++) report(new StorageError('x'))
    expect(onError).toHaveBeenCalledTimes(4)
  })

  it('swallows a throwing handler and keeps reporting', () => {
    const { report, onError, advance } = reporter(() => {
      throw new Error('the host app is broken')
    })
    expect(() => {
      report(new StorageError('a'))
    }).not.toThrow()
    advance(interval)
    expect(() => {
      report(new StorageError('b'))
    }).not.toThrow()
    expect(onError).toHaveBeenCalledTimes(2)
  })

  it('without a handler does nothing', () => {
    const report = createErrorReporter(undefined, interval, () => 0)
    const error = new StorageError('x')
    expect(() => {
      report(error)
      report(error)
    }).not.toThrow()
    expect(error.suppressed).toBe(0)
  })
})
