import { instancePattern } from '../../protocol/ping.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { openInstanceKeysFile } from '../gateway/instance-keys-file.js'
import { startGateway, type RunningGateway } from '../gateway/start-gateway.js'
import { parsePairs } from './options.js'

export interface GatewayCommandOptions {
  port: number
  host: string
  dataDir: string
  /** PostgreSQL instead of the SQLite folder. */
  databaseUrl?: string | undefined
  /** `ID=KEY` for each instance allowed to export. */
  instanceKeys: readonly string[]
  /** A file of `ID=KEY` lines, re-read when it changes. */
  instanceKeysFile?: string | undefined
  /** Reads every instance's events, pings and insights. */
  adminKey?: string | undefined
  retentionDays: number
  rollupRetentionDays: number
  log: (line: string) => void
}

/** `tally gateway`: the reference upstream receiver. */
export async function startGatewayCommand(options: GatewayCommandOptions): Promise<RunningGateway> {
  const fixed = parsePairs(options.instanceKeys, '--instance-key')
  for (const id of fixed.keys()) {
    if (!instancePattern.test(id)) {
      throw new InvalidSettingError(
        '--instance-key',
        '--instance-key must start with an instance id (letters, digits, . _ -, at most 64), e.g. --instance-key acme=…',
      )
    }
  }
  const instanceKeys =
    options.instanceKeysFile === undefined
      ? fixed
      : openInstanceKeysFile({ path: options.instanceKeysFile, fixed, log: options.log })
  const known = instanceKeys instanceof Map ? instanceKeys.size : instanceKeys.ids().length
  if (known === 0 && options.instanceKeysFile === undefined) {
    options.log('gateway: no --instance-key or --instance-keys-file; every export will be refused')
  }
  return startGateway({
    port: options.port,
    host: options.host,
    ...(options.databaseUrl === undefined
      ? { dataDir: options.dataDir }
      : { databaseUrl: options.databaseUrl }),
    instanceKeys,
    ...(options.adminKey === undefined ? {} : { adminKey: options.adminKey }),
    retentionDays: options.retentionDays,
    rollupRetentionDays: options.rollupRetentionDays,
    onInternalError: error => {
      options.log(`gateway error: ${error instanceof Error ? error.message : String(error)}`)
    },
  })
}
