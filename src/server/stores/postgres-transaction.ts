import type { Pool, PoolClient } from 'pg'

/**
 * Runs `work` in a transaction on one pooled connection: COMMIT when it resolves, ROLLBACK
 * when it throws. A connection whose ROLLBACK fails is in an unknown state, so it is
 * destroyed rather than handed back to the pool.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  let reusable = true
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    reusable = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    )
    throw error
  } finally {
    client.release(!reusable)
  }
}
