import { CLOSE_MARKER, OPEN_MARKER } from '../../protocol/markers.js'
import { html, type Html } from './html.js'

/** `2024-05-01 12:00:05 UTC`: one zone for everyone reading the page, the server's logs' zone. */
export function formatTime(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'invalid date'
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** A `<time>` element: the readable time, with the exact instant in `datetime`. */
export function time(date: Date): Html {
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString()
  return html`<time datetime="${iso}">${formatTime(date)}</time>`
}

/** `45 s`, `3 min`, `2 h 5 min`, `3 d 4 h`: two units at most, enough to judge a delay. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s} s`
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
  const days = Math.floor(hours / 24)
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`
}

/** How long before `now` a moment was, for `(3 min ago)`. */
export function ago(date: Date, now: Date): string {
  return `${formatDuration((now.getTime() - date.getTime()) / 1000)} ago`
}

/** `text` cut to at most `maxChars` UTF-16 units, never inside a surrogate pair. */
export function cutText(
  text: string,
  maxChars: number,
): { text: string; cut: boolean; totalChars: number } {
  if (text.length <= maxChars) return { text, cut: false, totalChars: text.length }
  let end = maxChars
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return { text: `${text.slice(0, end)}…`, cut: true, totalChars: text.length }
}

export function prettyJson(value: object | string | number | boolean | null): string {
  return JSON.stringify(value, null, 2)
}

/**
 * Text with every part between ‹ › wrapped in `<mark>`: where a redactable string holds unsafe
 * parts (stored), or where they were cut out (`‹×›` in what leaves). A marker opened and never
 * closed marks the rest, as redaction itself treats it; everything is escaped as text.
 */
export function markUnsafe(text: string): Html {
  const parts: Html[] = []
  let index = 0
  while (index < text.length) {
    const open = text.indexOf(OPEN_MARKER, index)
    if (open < 0) break
    const close = text.indexOf(CLOSE_MARKER, open + 1)
    const end = close < 0 ? text.length : close + 1
    parts.push(html`${text.slice(index, open)}<mark>${text.slice(open, end)}</mark>`)
    index = end
  }
  parts.push(html`${text.slice(index)}`)
  return html`${parts}`
}
