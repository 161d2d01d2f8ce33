import type { BillingMetadata, JsonValue } from '../protocol/event.js'

/* eslint-disable @typescript-eslint/no-empty-object-type -- `{}` is the point: it is the
   type that every object without required keys is assignable to. */

/**
 * `true` when T is made only of string literals. `{} extends Record<T, 1>` holds exactly
 * when Record<T, 1> has no required key: for `string`, for template literals with a
 * `${string}` or `${number}` hole, and for `Uppercase<string>`-style mappings, all of which
 * become index signatures. `@sourcegraph/telemetry`'s `KnownString` (`string extends T`)
 * catches only the first.
 */
type IsLiteral<T extends string> = [T] extends [never]
  ? false
  : T extends string
    ? {} extends Record<T, 1>
      ? false
      : true
    : false

/** Distributes over a union: any non-literal member makes the whole union non-literal. */
type AllLiteral<T extends string> = false extends IsLiteral<T> ? false : true

/**
 * A string known at compile time: a literal or a union of literals. A `string` variable,
 * a template literal with a `string` hole, or a computed name does not fit.
 */
export type KnownString<T extends string> = AllLiteral<T> extends true ? T : never

/** The members of a key union that are not string literals (index signatures, numbers, symbols). */
type NonLiteralKeys<K> = K extends string ? ({} extends Record<K, 1> ? K : never) : K

/**
 * Numeric metadata under literal keys. A `Record<string, number>`, an object with a
 * computed `string` key, or a non-number value does not fit.
 */
export type KnownMetadata<M> = [M[keyof M]] extends [number | undefined]
  ? [NonLiteralKeys<keyof M>] extends [never]
    ? M
    : never
  : never

/** The parameters `recordEvent` accepts; `metadata` is checked by {@link KnownMetadata}. */
export interface RecordParameters<M> {
  /** Schema version of this feature/action's metadata. @default 0 */
  version?: number
  /** Exported: numbers only, under literal keys. */
  metadata?: KnownMetadata<M>
  /**
   * Kept on the instance; leaves only when allowlisted. Scrubbed before it is queued; use
   * {@link redactable} for strings whose interpolated parts must never be exported.
   */
  privateMetadata?: Record<string, JsonValue>
  billingMetadata?: BillingMetadata
  interactionId?: string
}
