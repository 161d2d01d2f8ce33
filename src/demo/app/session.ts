/** The demo's session endpoints (src/demo/routes.ts): the cookie itself is HttpOnly. */

export async function currentUser(): Promise<string | null> {
  const response = await fetch('/demo/session', { headers: { accept: 'application/json' } })
  if (!response.ok) throw new Error(`GET /demo/session answered ${response.status}`)
  const body = (await response.json()) as { user?: unknown }
  return typeof body.user === 'string' ? body.user : null
}

/** Signs in; resolves to an error message the form can show, or undefined on success. */
export async function signIn(user: string): Promise<string | undefined> {
  const response = await fetch('/demo/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ user }),
  })
  if (response.ok) return undefined
  const body = (await response.json().catch(() => ({}))) as {
    error?: { message?: unknown }
  }
  return typeof body.error?.message === 'string'
    ? body.error.message
    : `Sign-in failed (${response.status})`
}

export async function signOut(): Promise<void> {
  await fetch('/demo/sign-out', { method: 'POST', headers: { accept: 'application/json' } })
}
