// The move from SQLite to PostgreSQL as the README shows it, `tally dump | tally import
// --database-url`, into a database made for the test: the CLI has no schema setting, so the
// test's tables are alone only in a database of their own.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import {
  day,
  expectedActiveUsers,
  firstDay,
  line,
  pipeDumpToImport,
  plant,
  tally,
  temporary,
} from './cli-process.js'
import { testDatabaseUrl } from '../../support/postgres-schemas.js'

describe('tally dump | tally import --database-url', { timeout: 120_000 }, () => {
  const server = testDatabaseUrl
  const admin = new pg.Pool({ connectionString: server, max: 1, connectionTimeoutMillis: 3_000 })
  admin.on('error', () => undefined)
  // A database of its own, so that the CLI's default schema is the test's alone.
  const database = `tally_cli_${randomBytes(6).toString('hex')}`
  const url = new URL(server)
  url.pathname = `/${database}`
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    await admin.end()
  })

  it('moves a SQLite store into PostgreSQL with the same answers', async () => {
    await admin.query(`CREATE DATABASE ${database}`)
    const planted = plant()
    const folder = temporary()
    const file = join(folder, 'planted.jsonl')
    writeFileSync(file, planted.map(line).join('\n'))
    const sqlite = join(folder, 'data')
    expect(tally(['import', '--data', sqlite, file]).status).toBe(0)

    const moved = await pipeDumpToImport(['--data', sqlite], ['--database-url', url.href])
    expect(moved.imported).toEqual({
      status: 0,
      stdout: `${planted.length} stored, 0 already present, 0 refused\n`,
      stderr: '',
    })
    for (const question of ['active-users', 'power-users', 'lifecycle', 'retention']) {
      const fromPostgres = tally([
        'insights',
        question,
        '--database-url',
        url.href,
        '--at',
        day(59),
        '--json',
      ])
      expect(fromPostgres.stderr).toBe('')
      expect(fromPostgres.stdout).toBe(
        tally(['insights', question, '--data', sqlite, '--at', day(59), '--json']).stdout,
      )
    }
    const answer = tally([
      'insights',
      'active-users',
      '--database-url',
      url.href,
      '--at',
      day(59),
      '--json',
    ])
    expect(JSON.parse(answer.stdout)).toEqual(expectedActiveUsers(planted, firstDay + 59))
  })
})
