import type { Context, MiddlewareHandler } from 'hono'
import { instancePattern } from '../../protocol/ping.js'
import { bearerToken, sameSecret } from '../secrets.js'
import { fail } from './gateway-answers.js'

/** Instance id → key, read per request: a keys file may change under a running gateway. */
export interface InstanceKeys {
  get(instance: string): string | undefined
}

/** The header naming the instance whose key is the bearer token. */
export const instanceHeader = 'x-tally-instance'

/**
 * Lets a request on only with `x-tally-instance` and that instance's key as its bearer token
 * (an instance writing its events or pings); 401 otherwise.
 */
export function requireInstance(keys: InstanceKeys): MiddlewareHandler {
  return async (c, next) => {
    const instance = c.req.header(instanceHeader)
    const key = bearerToken(c.req.header('authorization'))
    if (instance === undefined || !sameSecret(keys.get(instance), key)) {
      c.header('www-authenticate', 'Bearer')
      return fail(c, 401, 'unauthorized', 'an instance id and its key are required')
    }
    await next()
  }
}

/**
 * The instance a read names (`?instance=`), when the bearer token is that instance's key or
 * the admin key; else the answer refusing it (400 without a valid id, 401 without the key).
 */
export function authorizeRead(
  c: Context,
  keys: InstanceKeys,
  adminKey: string | undefined,
): { instance: string } | { refused: Response } {
  const instance = c.req.query('instance')
  if (instance === undefined || instance.length === 0) {
    return { refused: fail(c, 400, 'invalid-query', 'the query parameter instance is required') }
  }
  const key = bearerToken(c.req.header('authorization'))
  if (!sameSecret(keys.get(instance), key) && !sameSecret(adminKey, key)) {
    c.header('www-authenticate', 'Bearer')
    return {
      refused: fail(
        c,
        401,
        'unauthorized',
        `the key of instance ${instance} or the admin key is required`,
      ),
    }
  }
  // Checked after the key, so that an unauthenticated caller learns nothing from the answer.
  if (!instancePattern.test(instance)) {
    return { refused: fail(c, 400, 'invalid-query', 'instance must be an instance id') }
  }
  return { instance }
}
