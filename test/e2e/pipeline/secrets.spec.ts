import { randomInt } from 'node:crypto'
import type { Page } from '@playwright/test'
import {
  duplicates,
  expect,
  filesContaining,
  reportCounts,
  test,
  type GatewayEvent,
  type Pipeline,
} from './support.js'

const alphanumerics = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A GitHub token shaped like the real thing, built here so that no secret sits in the repo. */
function githubToken(): string {
  let token = 'ghp_'
  for (let i = 0; i < 36; i++) token += alphanumerics.charAt(randomInt(alphanumerics.length))
  return token
}

interface Secret {
  name: string
  /** What the user types. */
  query: string
  /** The part that must never leave. */
  literal: string
  /** What scrubbing leaves in its place. */
  replacement: string
}

function secrets(): Secret[] {
  const token = githubToken()
  const suffix = String(randomInt(1_000_000))
  return [
    {
      name: 'github token',
      query: `token ${token}`,
      literal: token,
      replacement: '[redacted:github-token]',
    },
    {
      name: 'email',
      query: `author:alice.${suffix}@example.com`,
      literal: `alice.${suffix}@example.com`,
      replacement: '[redacted:email]',
    },
    {
      name: 'home path',
      query: `file:/Users/alice/projects/app-${suffix}/main.go`,
      literal: '/Users/alice',
      replacement: `~/projects/app-${suffix}/main.go`,
    },
  ]
}

async function searchFor(page: Page, query: string): Promise<void> {
  await page.getByTestId('search-input').fill(query)
  await page.getByTestId('search-submit').click()
  await expect(page.getByTestId('search-summary')).toContainText(query)
}

/** Searches for each secret and waits until the gateway has every search. */
async function searchSecrets(
  page: Page,
  pipeline: Pipeline,
  typed: readonly Secret[],
): Promise<{ received: GatewayEvent[] }> {
  await pipeline.openDemo(page, 'erin')
  for (const secret of typed) await searchFor(page, secret.query)
  const stored = await pipeline.waitForStored(typed.length)
  expect(stored).toHaveLength(typed.length)
  const received = await pipeline.waitForReceived(typed.length)
  expect(received.map(item => item.id).sort()).toEqual(stored.map(event => event.id).sort())
  expect(duplicates(received.map(item => item.id))).toEqual([])
  // The instance itself scrubbed at ingest: no literal secret in its store either.
  for (const secret of typed) {
    expect(filesContaining(pipeline.instanceDir, secret.literal), secret.name).toEqual([])
  }
  return { received }
}

test.describe('redact mode', () => {
  test.use({ instance: 'redact' })

  test('a token, an email and a home path typed into the search box never reach the gateway', async ({
    page,
    pipeline,
  }, testInfo) => {
    const typed = secrets()
    const { received } = await searchSecrets(page, pipeline, typed)
    const text = JSON.stringify(received)
    for (const { event } of received) {
      expect(event.feature).toBe('search')
      expect(event.parameters.privateMetadata).toBeUndefined()
    }
    for (const secret of typed) {
      expect(text, secret.name).not.toContain(secret.literal)
      expect(text, secret.name).not.toContain(secret.query)
      // Not even a scrubbed copy of the query leaves in redact mode.
      expect(text, secret.name).not.toContain(secret.replacement)
      expect(filesContaining(pipeline.gatewayDir, secret.literal), secret.name).toEqual([])
    }
    await reportCounts(testInfo, pipeline, typed.length)
  })
})

test.describe('full mode', () => {
  test.use({ instance: 'full' })

  test('the same secrets reach the gateway scrubbed', async ({ page, pipeline }, testInfo) => {
    const typed = secrets()
    const { received } = await searchSecrets(page, pipeline, typed)
    const text = JSON.stringify(received)
    const queries = received.map(item => JSON.stringify(item.event.parameters.privateMetadata))
    for (const secret of typed) {
      expect(text, secret.name).not.toContain(secret.literal)
      expect(filesContaining(pipeline.gatewayDir, secret.literal), secret.name).toEqual([])
      expect(
        queries.filter(query => query.includes(secret.replacement)),
        `${secret.name} scrubbed to ${secret.replacement}`,
      ).toHaveLength(1)
    }
    await reportCounts(testInfo, pipeline, typed.length)
  })
})
