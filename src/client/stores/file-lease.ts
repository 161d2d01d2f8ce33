import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { newId } from '../ids.js'
import type { LeaseHolder } from '../platform/lease-lock.js'
import { fnv1a } from './file-records.js'
import { errorCode, isRunning, thisHost } from './local-process.js'

interface Lease {
  owner: string
  expires: number
}

function parse(text: string): Lease | undefined {
  const match = /^(\S+) (\d+)\n$/.exec(text)
  return match ? { owner: match[1] as string, expires: Number(match[2]) } : undefined
}

/**
 * A new owner of this process for the send lease, `<host>.<pid>.<id>`: the host and pid let
 * the other processes of this host see that the holder is gone, and tell an operator who it is.
 */
export function newLeaseOwner(): string {
  return `${thisHost}.${process.pid}.${newId()}`
}

/**
 * Whether the owner is known to be gone: a process of this host that no longer runs. Owners
 * of other hosts, and those in another format, are judged by the lease's expiry alone.
 */
function ownerIsGone(owner: string): boolean {
  const match = /^([A-Za-z0-9-]+)\.(\d+)\./.exec(owner)
  return match ? isRunning(match[1] as string, Number(match[2])) === false : false
}

/** Fixed width, so that a renewal written over the old text in place leaves nothing behind. */
function format(owner: string, expires: number): string {
  return `${owner} ${String(expires).padStart(15, '0')}\n`
}

/**
 * The send lease of a store directory, in one file holding `owner expires`, shared by every
 * process (editor window) using the directory.
 *
 * A free lease is taken by creating the file with `wx`, which only one process can do. A lease
 * that expired, or whose owner ({@link newLeaseOwner}) is a process of this host that no
 * longer runs, is taken over, but not by overwriting it: two processes that both judged it
 * free would both believe they won. So every removal of the file first hard-links it to a
 * marker named after the text it held: `link` fails when the marker exists, so one process
 * alone removes a given lease, and it checks through the marker that the file it linked is
 * still the one it judged.
 */
export function fileLease(path: string): LeaseHolder {
  const read = async (): Promise<string | undefined> => {
    try {
      return await readFile(path, 'utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      throw error
    }
  }

  /** Removes the lease file if it still holds `text`; true if this call removed it. */
  const remove = async (text: string, leaseMs: number, now: number): Promise<boolean> => {
    const marker = `${path}.${fnv1a(text).toString(16)}`
    try {
      await link(path, marker)
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') return false
      // A process that died between the link and its cleanup leaves the marker on the very
      // file it judged: once that lease is long expired, clear the marker for the next try.
      const lease = parse(text)
      if (lease && lease.expires + leaseMs <= now) {
        const same = await Promise.all([stat(path), stat(marker)]).then(
          ([held, mark]) => held.ino === mark.ino,
          () => false,
        )
        if (same) await unlink(marker).catch(() => {})
      }
      return false
    }
    try {
      if ((await readFile(marker, 'utf8')) !== text) return false
      await unlink(path)
      return true
    } finally {
      await unlink(marker).catch(() => {})
    }
  }

  return {
    async claim(owner, leaseMs, now) {
      const text = format(owner, now + leaseMs)
      // Twice at most: once more after removing a lease taken over or seeing one vanish.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await writeFile(path, text, { flag: 'wx' })
          return true
        } catch (error) {
          if (errorCode(error) !== 'EEXIST') throw error
        }
        const held = await read()
        if (held === undefined) continue
        const lease = parse(held)
        if (lease && lease.expires > now) {
          if (lease.owner === owner) {
            // Renewed in place: the file stays the same one that others judge through markers.
            await writeFile(path, text, { flag: 'r+' })
            return true
          }
          // A window killed while it held the lease would otherwise block the others until
          // it expires, and a window starting meanwhile could not send before its deadline.
          if (!ownerIsGone(lease.owner)) return false
        } else if (!lease) {
          // Unreadable text is a claim torn by a crash, or one being written at this moment:
          // judged by the file's age instead.
          const expires = await stat(path).then(
            ({ mtimeMs }) => mtimeMs + leaseMs,
            () => 0,
          )
          if (expires > now) return false
        }
        if (!(await remove(held, leaseMs, now))) return false
      }
      return false
    },
    async release(owner) {
      const held = await read()
      if (held !== undefined && parse(held)?.owner === owner) await remove(held, 0, Date.now())
    },
  }
}
