import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'

const errorCode = (error: unknown) => (error as { code?: unknown } | null)?.code

/** The database file and the two SQLite keeps beside it in WAL mode. */
const suffixes = ['', '-wal', '-shm'] as const

/**
 * Makes the SQLite database at `path` private to the user running Tally before it is opened:
 * stored events hold private metadata. The directory is created 0700 when missing (one that
 * exists is the operator's to set), the database file is created 0600, and files that exist
 * already (from an older Tally, a restored backup, a crash that left its WAL) are set to 0600
 * on every open.
 *
 * SQLite creates `-wal` and `-shm` with the database file's own permissions, whatever the
 * umask (os_unix.c), so once the database is 0600 they are born 0600; creating them here
 * instead would put empty files in SQLite's way for nothing. Changing `process.umask` is no
 * option: a library must not change its host's process state.
 */
export function preparePrivateDatabaseFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error
  }
  for (const suffix of suffixes) {
    try {
      chmodSync(path + suffix, 0o600)
    } catch (error) {
      // ENOENT: no WAL yet. EPERM: another user's file, whose mode that user chose; SQLite
      // opens it if it may, as before.
      if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'EPERM') throw error
    }
  }
}
