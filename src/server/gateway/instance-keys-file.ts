import { readFileSync, statSync } from 'node:fs'
import { instancePattern } from '../../protocol/ping.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { minSecretLength } from '../settings/kinds.js'
import type { InstanceKeys } from './gateway-auth.js'

/**
 * The instance keys of `--instance-keys-file`: one `ID=KEY` a line, blank lines and `#`
 * comments allowed. Throws an InvalidSettingError naming the first bad line by its number,
 * never showing a key.
 */
export function parseInstanceKeys(text: string, path: string): Map<string, string> {
  const keys = new Map<string, string>()
  const lines = text.split(/\r?\n/)
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const at = line.indexOf('=')
    const id = at < 0 ? '' : line.slice(0, at).trim()
    const key = at < 0 ? '' : line.slice(at + 1).trim()
    const problem = !instancePattern.test(id)
      ? 'must start with an instance id (letters, digits, . _ -, at most 64) and =, e.g. acme=…'
      : key.length < minSecretLength || /\s/.test(key)
        ? `must hold a key of ${minSecretLength} or more characters without spaces after ${id}=`
        : keys.has(id)
          ? `names ${id} again`
          : undefined
    if (problem !== undefined) {
      throw new InvalidSettingError(
        '--instance-keys-file',
        `--instance-keys-file ${path}: line ${index + 1} ${problem}`,
      )
    }
    keys.set(id, key)
  }
  return keys
}

export interface InstanceKeysFileOptions {
  path: string
  /** Keys given otherwise (`--instance-key`); the file's win for the same id. */
  fixed?: ReadonlyMap<string, string>
  /** Told, in one line, when a changed file is refused and the previous keys stay. */
  log: (line: string) => void
  /** The clock that spaces the checks. @default Date.now */
  nowMs?: () => number
  /** The file is looked at, at most, once per this. @default 1000 */
  checkEveryMs?: number
}

export interface InstanceKeysFile extends InstanceKeys {
  /** Ids the keys are for, file and fixed together (for a start-up line). */
  ids(): string[]
}

/**
 * Instance keys from a file a vendor edits while the gateway runs: read at start (a bad file
 * stops the start), then looked at again on use, at most once a second, by its modification
 * time and size. A changed file that is refused keeps the previous keys and says why once.
 * Polling on use rather than `fs.watch`: it works on every file system, and an idle gateway
 * does no work at all.
 */
export function openInstanceKeysFile(options: InstanceKeysFileOptions): InstanceKeysFile {
  const { path, log } = options
  const nowMs = options.nowMs ?? Date.now
  const checkEveryMs = options.checkEveryMs ?? 1000
  const fixed = options.fixed ?? new Map<string, string>()

  const read = () => {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      throw new InvalidSettingError(
        '--instance-keys-file',
        `--instance-keys-file ${path} cannot be read: ${(error as Error).message}`,
        { cause: error },
      )
    }
    return new Map([...fixed, ...parseInstanceKeys(text, path)])
  }
  const version = () => {
    try {
      const stat = statSync(path)
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`
    } catch {
      return 'missing'
    }
  }

  let seen = version()
  let keys = read()
  let checkedAt = nowMs()
  /** The version last refused, so that a broken file is reported once, not on every request. */
  let refused: string | undefined

  const refresh = () => {
    const at = nowMs()
    if (at - checkedAt < checkEveryMs) return
    checkedAt = at
    const current = version()
    if (current === seen || current === refused) return
    try {
      keys = read()
      seen = current
      refused = undefined
    } catch (error) {
      refused = current
      log(`gateway: ${(error as Error).message}; keeping the previous keys`)
    }
  }

  return {
    get(instance) {
      refresh()
      return keys.get(instance)
    },
    ids: () => [...keys.keys()].sort(),
  }
}
