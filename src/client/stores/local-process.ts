import { hostname } from 'node:os'

/**
 * This machine (or container), as a file name allows. Segment names and the send lease carry
 * it beside a pid, because a pid means something only on the host that gave it out.
 */
export const thisHost =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, '-')
    .slice(0, 40) || 'host'

/** The `code` of a Node system error (`ENOENT`, `EEXIST`, …), if it has one. */
export function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code
}

/**
 * Whether process `pid` of `host` still runs: undefined when `host` is another machine or
 * container, whose pids cannot be asked. A pid reused by a new process, or a dead one that its
 * parent has not reaped yet, reads as running: that only delays what a dead one would allow.
 */
export function isRunning(host: string, pid: number): boolean | undefined {
  if (host !== thisHost) return undefined
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === 'EPERM'
  }
}
