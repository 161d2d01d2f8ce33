import { html, type Html } from '../html.js'

/** A named, coloured series of a chart. */
export interface Series {
  name: string
  /** A CSS colour, used as an SVG presentation attribute (the admin CSP allows no inline style). */
  color: string
}

/** The series' names beside their colours, under the chart. */
export function legend(series: readonly Series[]): Html {
  return html`<figcaption class="legend">
    ${series.map(
      ({ name, color }) =>
        html`<span
          ><svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" rx="2" fill="${color}" /></svg
          >${name}</span
        >`,
    )}
  </figcaption>`
}
