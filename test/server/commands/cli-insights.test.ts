// `tally import`, `tally insights` and `tally dump` as an operator runs them: real processes
// on temporary SQLite folders, the answers held against figures computed from the planted
// lines.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  dayMs,
  day,
  expectedActiveUsers,
  firstDay,
  line,
  pipeDumpToImport,
  plant,
  start,
  tally,
  temporary,
  finished,
} from './cli-process.js'

describe('tally import, insights and dump', { timeout: 120_000 }, () => {
  it('imports a file, then answers active users as the figures planted in it', () => {
    const planted = plant()
    const folder = temporary()
    const file = join(folder, 'planted.jsonl')
    writeFileSync(file, `${planted.map(line).join('\n')}\n`)
    const data = join(folder, 'data')

    const imported = tally(['import', '--data', data, file])
    expect(imported).toEqual({
      status: 0,
      stdout: `${planted.length} stored, 0 already present, 0 refused\n`,
      stderr: '',
    })

    for (const offset of [0, 20, 45, 59]) {
      const answer = tally([
        'insights',
        'active-users',
        '--data',
        data,
        '--at',
        day(offset),
        '--json',
      ])
      expect(answer.stderr).toBe('')
      expect(answer.status).toBe(0)
      expect(JSON.parse(answer.stdout)).toEqual(expectedActiveUsers(planted, firstDay + offset))
    }

    const table = tally(['insights', 'active-users', '--data', data, '--at', day(59)])
    const expected = expectedActiveUsers(planted, firstDay + 59)
    expect(table.stdout).toMatch(new RegExp(`^monthly \\(mau\\) +${expected.mau}$`, 'm'))
    expect(table.stdout).toMatch(new RegExp(`^daily \\(dau\\) +${expected.dau}$`, 'm'))
  })

  it('counts refused lines with their first reasons and exits 1; a bad flag exits 2', () => {
    const folder = temporary()
    const [good] = plant().map(line)
    const result = tally(['import', '--data', join(folder, 'data'), '-'], `${good}\nnot json\n{}\n`)
    expect(result.status).toBe(1)
    expect(result.stdout).toBe(
      '1 stored, 0 already present, 2 refused\n' +
        '  line 2: not JSON\n' +
        '  line 3: userId must be a positive whole number\n',
    )
    const refused = tally([
      'insights',
      'retention',
      '--data',
      join(folder, 'data'),
      '--weeks',
      '53',
    ])
    expect(refused).toEqual({
      status: 2,
      stdout: '',
      stderr: 'tally insights: --weeks must be a whole number from 1 to 52\n',
    })
  })

  it('moves a store through dump | import -, each event once, and a second import finds all present', async () => {
    const planted = plant()
    const folder = temporary()
    const file = join(folder, 'planted.jsonl')
    writeFileSync(file, planted.map(line).join('\n'))
    const [from, to] = [join(folder, 'a'), join(folder, 'b')]
    expect(tally(['import', '--data', from, file]).status).toBe(0)

    const first = await pipeDumpToImport(['--data', from], ['--data', to])
    expect(first.dumped).toMatchObject({ status: 0, stderr: '' })
    expect(first.imported).toEqual({
      status: 0,
      stdout: `${planted.length} stored, 0 already present, 0 refused\n`,
      stderr: '',
    })
    const again = await pipeDumpToImport(['--data', from], ['--data', to])
    expect(again.imported.stdout).toBe(`0 stored, ${planted.length} already present, 0 refused\n`)

    // The copy holds the same lines (its own dump), and so the same answers.
    expect(tally(['dump', '--data', to]).stdout).toBe(tally(['dump', '--data', from]).stdout)
    const ids = tally(['dump', '--data', to])
      .stdout.trim()
      .split('\n')
      .map(text => (JSON.parse(text) as { id: string; userId: number }).id)
    expect(ids.sort()).toEqual(planted.map(event => `event-${event.id}`).sort())
    for (const question of ['features', 'sessions', 'events'])
      expect(
        tally(['insights', question, '--data', to, '--from', day(0), '--to', day(59), '--json'])
          .stdout,
      ).toBe(
        tally(['insights', question, '--data', from, '--from', day(0), '--to', day(59), '--json'])
          .stdout,
      )
  })

  it('stops quietly when the reader of its output goes away (tally dump | head -n 1)', async () => {
    const folder = temporary()
    const data = join(folder, 'data')
    // Enough lines to outgrow a pipe's buffer, so that the dump meets the closed pipe.
    const many = Array.from({ length: 4000 }, (_, index) =>
      line({
        id: `many-${index}`,
        userId: 1 + (index % 50),
        ms: (firstDay + (index % 60)) * dayMs,
      }),
    )
    writeFileSync(join(folder, 'many.jsonl'), many.join('\n'))
    expect(tally(['import', '--data', data, join(folder, 'many.jsonl')]).status).toBe(0)
    const dump = start(['dump', '--data', data])
    const exited = finished(dump, { readStdout: false })
    // Read the first line, then close the pipe as `head -n 1` does.
    let first = ''
    dump.stdout.on('data', (chunk: Buffer) => {
      first += chunk.toString()
      if (first.includes('\n')) dump.stdout.destroy()
    })
    const { status, stderr } = await exited
    const [firstLine] = first.split('\n')
    expect((JSON.parse(firstLine ?? '') as { userId: number }).userId).toBeGreaterThan(0)
    expect(first.length).toBeLessThan(many.join('\n').length)
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' })
  })
})
