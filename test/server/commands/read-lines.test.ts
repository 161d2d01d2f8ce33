import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { readLines } from '../../../src/server/commands/import.js'

describe('readLines', () => {
  it('keeps the lines a stream delivers before they are read, as while a store connects', async () => {
    const lines = readLines(Readable.from(['one\r\ntwo\n', 'three']))
    // The stream has ended by the time the import starts reading.
    await sleep(50)
    const read: string[] = []
    for await (const line of lines) read.push(line)
    expect(read).toEqual(['one', 'two', 'three'])
  })
})
