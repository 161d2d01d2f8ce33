import { createHash } from 'node:crypto'

/*
 * Where an instance's events live, named from its id. Ids (`instancePattern`) differ by case
 * ("Acme", "acme") where file systems and PostgreSQL's folded identifiers may not, so each name
 * ends in a hash of the exact id; the readable part only helps an operator find the file.
 */

const hashOf = (instance: string) =>
  createHash('sha256').update(instance, 'utf8').digest('hex').slice(0, 16)

const readable = (instance: string, length: number) =>
  instance
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')
    .slice(0, length)

/** The SQLite file of an instance's events: `acme-1f2e….db`. */
export function instanceFileName(instance: string): string {
  return `${readable(instance, 40)}-${hashOf(instance)}.db`
}

/** Longest gateway schema name: leaves room for the instances' schema names within 63. */
export const maxGatewaySchemaLength = 24

/** The PostgreSQL schema of an instance's events, beside the gateway's `schema`. */
export function instanceSchemaName(gatewaySchema: string, instance: string): string {
  const room = 63 - gatewaySchema.length - '__'.length - '_'.length - 16
  return `${gatewaySchema}__${readable(instance, room)}_${hashOf(instance)}`
}
