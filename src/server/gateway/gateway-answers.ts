import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { errorBody, type ErrorCode } from '../../protocol/answers.js'

/** The gateway's error answer, `{ error: { code, message } }`. */
export function fail(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
): Response {
  return c.json(errorBody(code, message), status)
}
