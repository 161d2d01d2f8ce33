/** One sample of a metric family. */
export interface Sample {
  labels?: Record<string, string>
  value: number
}

/** A metric with its help text and type, as the Prometheus text format lists it. */
export interface Family {
  name: string
  help: string
  type: 'gauge' | 'counter'
  samples: Sample[]
}

/** A time as a gauge's one sample in seconds since the epoch, or none when there is none. */
export function timestampSamples(date: Date | null): Sample[] {
  return date === null ? [] : [{ value: date.getTime() / 1000 }]
}

/**
 * The last error's time, labelled by its class only: a message may name the gateway's
 * address, and labels are scraped and kept by systems that should learn nothing about where
 * data goes.
 */
export function lastErrorSamples(error: { errorClass: string; at: Date } | null): Sample[] {
  return error === null
    ? []
    : [{ labels: { class: error.errorClass }, value: error.at.getTime() / 1000 }]
}

/** The content type of {@link renderFamilies}'s output. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8'

/** Renders metric families in the Prometheus text exposition format (version 0.0.4). */
export function renderFamilies(families: readonly Family[]): string {
  let text = ''
  for (const family of families) {
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n`
    text += `# TYPE ${family.name} ${family.type}\n`
    for (const sample of family.samples) {
      text += `${family.name}${renderLabels(sample.labels)} ${renderValue(sample.value)}\n`
    }
  }
  return text
}

function renderLabels(labels: Record<string, string> | undefined): string {
  if (labels === undefined) return ''
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`)
  return `{${parts.join(',')}}`
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}
