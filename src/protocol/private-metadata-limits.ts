// privateMetadata's bounds, in a module of their own: the browser client's recorder and its
// unload copy need them before its first event, and the rest of the protocol (event.ts's
// `limits`, which holds them too, and validation) comes later, with the judge's chunk.

/** Nesting of privateMetadata below its top level. */
export const maxPrivateMetadataDepth = 8

/** UTF-8 bytes of privateMetadata's JSON. */
export const maxPrivateMetadataBytes = 16 * 1024
