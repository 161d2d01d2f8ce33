import { describe, expect, it } from 'vitest'
import { isStoreError, StoreError } from '../../../src/server/errors/store-error.js'
import {
  isTallyServerError,
  TallyServerError,
} from '../../../src/server/errors/tally-server-error.js'

describe('StoreError', () => {
  it('names the store and the operation, keeps the cause, and is a Tally server error', () => {
    const cause = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
    const error = new StoreError('SQLite insert failed on tally.db: database is locked', {
      kind: 'sqlite',
      operation: 'insert',
      retryable: true,
      cause,
    })
    expect(error).toBeInstanceOf(TallyServerError)
    expect(error).toMatchObject({
      name: 'StoreError',
      code: 'store',
      kind: 'sqlite',
      operation: 'insert',
      retryable: true,
      message: 'SQLite insert failed on tally.db: database is locked',
    })
    expect(error.cause).toBe(cause)
    expect(isStoreError(error)).toBe(true)
    expect(isTallyServerError(error)).toBe(true)
  })

  it('is not retryable and has no cause unless told', () => {
    const error = new StoreError('schema too new', { kind: 'postgres', operation: 'migrate' })
    expect(error.retryable).toBe(false)
    expect('cause' in error).toBe(false)
  })

  it('is told apart from other errors, Tally server errors of other codes included', () => {
    expect(isStoreError(new Error('store down'))).toBe(false)
    expect(isStoreError(new TallyServerError('upstream', 'gateway down'))).toBe(false)
    expect(isStoreError({ code: 'store' })).toBe(false)
    expect(isStoreError(null)).toBe(false)
  })

  it('is recognised from another copy of the package, where instanceof fails', () => {
    // What another copy's StoreError carries: the registered brand and the code.
    const foreign = Object.assign(new Error('SQLite open failed'), { code: 'store' })
    Object.defineProperty(foreign, Symbol.for('tally-telemetry.server-error'), { value: true })
    expect(foreign).not.toBeInstanceOf(StoreError)
    expect(isStoreError(foreign)).toBe(true)
  })
})
