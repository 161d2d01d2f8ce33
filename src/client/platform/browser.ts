/** The page's origin, the default instance for a web app; undefined outside a page. */
export function pageOrigin(): string | undefined {
  return typeof location === 'undefined' ? undefined : location.origin
}
