import { TallyServerError } from './tally-server-error.js'

/**
 * A setting's value is malformed, missing where required or refused (a short secret, plain
 * HTTP to a remote gateway). The message is one line that never contains a secret.
 */
export class InvalidSettingError extends TallyServerError {
  override name = 'InvalidSettingError'
  /**
   * The flag (`--port`) or environment variable (`TALLY_PORT`) the value came from, or the
   * option's name (`maxBatchEvents`) where a program passed it.
   */
  readonly setting: string

  constructor(setting: string, message: string, options?: { cause?: unknown }) {
    super('invalid-setting', message, options)
    this.setting = setting
  }
}
