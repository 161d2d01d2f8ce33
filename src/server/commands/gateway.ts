import { startGateway, type RunningGateway } from '../gateway/start-gateway.js'
import { parsePairs } from './options.js'

export interface GatewayCommandOptions {
  port: number
  host: string
  dataDir: string
  /** `ID=KEY` for each instance allowed to export. */
  instanceKeys: readonly string[]
  log: (line: string) => void
}

/** `tally gateway`: the reference upstream receiver. */
export async function startGatewayCommand(options: GatewayCommandOptions): Promise<RunningGateway> {
  const instanceKeys = parsePairs(options.instanceKeys, '--instance-key')
  if (instanceKeys.size === 0)
    options.log('gateway: no --instance-key; every export will be refused')
  return startGateway({
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    instanceKeys,
  })
}
