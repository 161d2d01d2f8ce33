import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { tallyVersion } from '../../src/server/tally-version.js'

describe('tallyVersion', () => {
  it("is package.json's version, so the ping reports the version installed", () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version: string
    }
    expect(tallyVersion).toBe(pkg.version)
  })
})
