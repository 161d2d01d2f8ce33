import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GatewayStore } from './gateway-store.js'
import { openSqliteGatewayStore } from './sqlite-gateway-store.js'

/**
 * A gateway store for tests and throwaway gateways: SQLite in a fresh temporary folder, removed
 * when the store closes. SQLite rather than a memory double, so that a throwaway gateway
 * answers insights with the same engine as any other.
 */
export async function openTemporaryGatewayStore(): Promise<GatewayStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-gateway-'))
  try {
    return await openSqliteGatewayStore({
      dataDir,
      onClose: async () => rmSync(dataDir, { recursive: true, force: true }),
    })
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
}
