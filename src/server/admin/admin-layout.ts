import { createHash } from 'node:crypto'
import { html, type Html } from './html.js'

// The literal parts of an `html` template are markup: the stylesheet goes in as written.
const stylesheet = html`<style>
  :root {
    color-scheme: light;
    --ink: #1d2330;
    --muted: #5f6b7c;
    --line: #dfe3ea;
    --paper: #f6f7f9;
    --card: #fff;
    --accent: #3451b2;
    --ok: #1a7f37;
    --bad: #b42318;
    --mark: #fff1c2;
  }
  * {
    box-sizing: border-box;
  }
  body {
    margin: 0;
    font:
      14px/1.45 system-ui,
      -apple-system,
      'Segoe UI',
      sans-serif;
    color: var(--ink);
    background: var(--paper);
  }
  header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 16px;
    padding: 12px 24px;
    background: var(--card);
    border-bottom: 1px solid var(--line);
  }
  header h1 {
    margin: 0;
    font-size: 16px;
    font-weight: 600;
  }
  header a {
    color: var(--accent);
    text-decoration: none;
    margin-right: 12px;
  }
  header h1 span {
    color: var(--muted);
    font-weight: 400;
  }
  main {
    max-width: 1280px;
    margin: 0 auto;
    padding: 20px 24px 48px;
  }
  h2 {
    font-size: 15px;
    margin: 28px 0 4px;
  }
  p {
    margin: 4px 0;
  }
  .muted {
    color: var(--muted);
  }
  .cards {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
    gap: 12px;
  }
  .card {
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 8px;
    padding: 12px 14px;
  }
  .card h3 {
    margin: 0 0 4px;
    font-size: 12px;
    font-weight: 500;
    color: var(--muted);
    text-transform: uppercase;
    letter-spacing: 0.04em;
  }
  .figure {
    font-size: 22px;
    font-weight: 600;
  }
  .ok {
    color: var(--ok);
  }
  .bad {
    color: var(--bad);
  }
  .mode {
    display: inline-block;
    padding: 0 8px;
    border-radius: 999px;
    font-size: 15px;
    background: #e8edfb;
    color: var(--accent);
  }
  .mode-off {
    background: #eceef2;
    color: var(--muted);
  }
  .mode-full {
    background: #fdecea;
    color: var(--bad);
  }
  .notice {
    background: var(--card);
    border: 1px solid var(--line);
    border-left: 4px solid var(--accent);
    border-radius: 6px;
    padding: 10px 14px;
    margin: 8px 0;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    table-layout: fixed;
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 8px;
    overflow: hidden;
    margin-top: 8px;
  }
  th,
  td {
    text-align: left;
    vertical-align: top;
    padding: 8px 10px;
    border-top: 1px solid var(--line);
  }
  th {
    font-size: 12px;
    font-weight: 500;
    color: var(--muted);
    background: #fafbfc;
    border-top: 0;
  }
  col.event {
    width: 22%;
  }
  col.leaves {
    width: 44%;
  }
  col.removed {
    width: 34%;
  }
  pre {
    margin: 0;
    overflow: auto;
    font:
      12px/1.4 ui-monospace,
      SFMono-Regular,
      Menlo,
      Consolas,
      monospace;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  code {
    font:
      12px ui-monospace,
      SFMono-Regular,
      Menlo,
      Consolas,
      monospace;
    overflow-wrap: anywhere;
  }
  mark {
    background: var(--mark);
    color: inherit;
    border-radius: 2px;
  }
  .pages {
    display: flex;
    gap: 16px;
    align-items: baseline;
    margin: 8px 0;
  }
  .cut {
    margin: 4px 0 0;
    font-style: italic;
  }
  .removed ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .removed li + li {
    margin-top: 8px;
    padding-top: 8px;
    border-top: 1px dashed var(--line);
  }
  .removed pre {
    max-height: 240px;
    margin-top: 4px;
    padding: 6px 8px;
    background: #fbf3f2;
    border-radius: 4px;
  }
  .tag {
    display: inline-block;
    font-size: 11px;
    padding: 0 6px;
    border-radius: 4px;
    background: #eceef2;
    color: var(--muted);
    margin-left: 4px;
  }
  button {
    font: inherit;
    padding: 6px 12px;
    border-radius: 6px;
    border: 1px solid var(--line);
    background: var(--card);
    color: var(--ink);
    cursor: pointer;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: #fff;
  }
  form.inline {
    display: inline;
  }
  .sign-in {
    max-width: 380px;
    margin: 12vh auto;
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 10px;
    padding: 24px;
  }
  .sign-in h1 {
    font-size: 18px;
    margin: 0 0 8px;
  }
  .sign-in label {
    display: block;
    margin: 16px 0 6px;
    font-weight: 500;
  }
  .sign-in input {
    width: 100%;
    font: inherit;
    padding: 8px 10px;
    border: 1px solid var(--line);
    border-radius: 6px;
  }
  .sign-in button {
    margin-top: 16px;
    width: 100%;
  }
  .error {
    color: var(--bad);
  }
  .banner {
    margin: 0;
    padding: 8px 24px;
    background: var(--mark);
    border-bottom: 1px solid var(--line);
    font-weight: 500;
  }
  .windows {
    display: flex;
    gap: 14px;
    align-items: baseline;
    flex-wrap: wrap;
    margin: 4px 0 8px;
  }
  .windows a {
    color: var(--accent);
  }
  .window {
    margin-bottom: 8px;
  }
  .columns {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(480px, 1fr));
    gap: 0 24px;
  }
  .chart {
    margin: 8px 0 0;
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 8px;
    padding: 8px 10px 6px;
  }
  .chart svg {
    display: block;
    width: 100%;
    height: auto;
  }
  .legend {
    display: flex;
    gap: 14px;
    font-size: 12px;
    color: var(--muted);
    padding: 4px 0 0 44px;
  }
  .legend svg {
    display: inline-block;
    width: 10px;
    margin-right: 4px;
  }
  table.figures,
  table.retention {
    table-layout: auto;
  }
  .number {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .trend.up {
    color: var(--ok);
  }
  .trend.down {
    color: var(--bad);
  }
  .trend.flat {
    color: var(--muted);
  }
  table.retention td {
    font-size: 12px;
    padding: 6px 8px;
  }
  .shade-0 {
    background: #f7f8fb;
  }
  .shade-1 {
    background: #eef1fb;
  }
  .shade-2 {
    background: #e2e8f8;
  }
  .shade-3 {
    background: #d4dcf5;
  }
  .shade-4 {
    background: #c3cef1;
  }
  .shade-5 {
    background: #b0bfec;
  }
  .shade-6 {
    background: #9aade6;
  }
  .shade-7 {
    background: #8199de;
    color: #fff;
  }
  .shade-8 {
    background: #6a85d6;
    color: #fff;
  }
  .shade-9 {
    background: #5470cb;
    color: #fff;
  }
  .shade-10 {
    background: #3451b2;
    color: #fff;
  }
  form.explorer {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: flex-end;
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 8px;
    padding: 10px 12px;
    margin: 8px 0;
  }
  form.explorer label {
    display: flex;
    flex-direction: column;
    font-size: 12px;
    color: var(--muted);
    gap: 2px;
  }
  form.explorer input,
  form.explorer select,
  header input {
    font: inherit;
    padding: 5px 8px;
    border: 1px solid var(--line);
    border-radius: 6px;
    color: var(--ink);
    background: var(--card);
  }
  form.explorer input {
    width: 130px;
  }
  details summary {
    cursor: pointer;
    color: var(--accent);
    margin: 8px 0 0;
  }
</style>`

/** The one stylesheet, allowed by its hash: the pages need no other inline code. */
const styleHash = createHash('sha256')
  .update(stylesheet.toString().slice('<style>'.length, -'</style>'.length))
  .digest('base64')

/**
 * Headers for every admin response: the pages show private values, so nothing is cached,
 * framed, sniffed or sent on as a referrer, and the content security policy admits no script.
 */
export const adminHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${styleHash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
}

/** A page; `notice`, when given, is a banner above it (the demo data's, say). */
export function layout(title: string, body: Html, notice?: string): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        ${stylesheet}
      </head>
      <body>
        ${
          notice === undefined
            ? ''
            : html`<p class="banner" role="status" data-testid="notice">${notice}</p>`
        }
        ${body}
      </body>
    </html> `
}
