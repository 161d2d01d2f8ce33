// Apart from validation, so that the recorder's copy, which loads before the judge's chunk
// (client/judging.ts), does not pull validation in with it.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}
