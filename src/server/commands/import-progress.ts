import type { ImportSummary } from './import.js'

/** How often the progress line is redrawn at most. */
const defaultIntervalMs = 2_000

export interface ImportProgress {
  /** Given the running counts after each batch stored; redraws when the interval has passed. */
  onBatch: (summary: Readonly<ImportSummary>) => void
  /** Erases the line, if one was drawn, so that the summary prints on a clean line. */
  done: () => void
}

/**
 * `tally import`'s progress on a terminal: a line redrawn in place (`\r`) at most every
 * `intervalMs`, with the counts so far and the lines judged a second since the start. Ten
 * million lines take minutes, which a silent command leaves the admin to guess at. Written to
 * standard error and only to a terminal, so that the summary on standard output stays the one
 * line scripts read.
 */
export function importProgress(
  write: (text: string) => void,
  now: () => number = () => performance.now(),
  intervalMs = defaultIntervalMs,
): ImportProgress {
  const started = now()
  let drawnAt = started
  let width = 0
  return {
    onBatch({ stored, present, refused }) {
      const at = now()
      if (at - drawnAt < intervalMs) return
      drawnAt = at
      const lines = stored + present + refused
      const rate = Math.round(lines / ((at - started) / 1000))
      const text =
        `${lines.toLocaleString('en')} lines: ${stored.toLocaleString('en')} stored, ` +
        `${present.toLocaleString('en')} already present, ${refused.toLocaleString('en')} refused ` +
        `(${rate.toLocaleString('en')} lines/s)`
      // Padded over a longer line drawn before, whose end would otherwise stay on screen.
      write(`\r${text.padEnd(width)}`)
      width = text.length
    },
    done() {
      if (width > 0) write(`\r${' '.repeat(width)}\r`)
      width = 0
    },
  }
}
