import { describe, expect, it } from 'vitest'
import { InvalidSettingError } from '../../../src/server/errors/invalid-setting-error.js'
import { MissingDriverError } from '../../../src/server/errors/missing-driver-error.js'
import { isTallyServerError } from '../../../src/server/errors/tally-server-error.js'
import { resolve } from '../../../src/server/settings/resolve.js'

describe('setting errors', () => {
  it('name the setting, carry their code and keep their cause', () => {
    const cause = new Error('ENOENT')
    const error = new InvalidSettingError('--token-file', '--token-file must …', { cause })
    expect(error).toMatchObject({
      name: 'InvalidSettingError',
      code: 'invalid-setting',
      setting: '--token-file',
      cause,
    })
    expect(isTallyServerError(error)).toBe(true)
  })

  it('name the driver to install', () => {
    const error = new MissingDriverError('pg', 'npm install pg')
    expect(error).toMatchObject({
      name: 'MissingDriverError',
      code: 'missing-driver',
      driver: 'pg',
    })
    expect(isTallyServerError(error)).toBe(true)
  })

  it('refuse an unreadable secret file by its flag, in one line', () => {
    const resolution = resolve('serve', ['--admin-token-file', '/nowhere/admin-token'], {})
    expect(resolution).toEqual({
      kind: 'refused',
      message:
        'tally serve: --admin-token-file must name a readable file, e.g. --admin-token-file /run/secrets/tally',
      setting: '--admin-token-file',
    })
  })
})
