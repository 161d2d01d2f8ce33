import { createAdminCredentials, type AdminCredentials } from '../admin/admin-session.js'
import type { SignInText } from '../admin/sign-in-page.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'

/**
 * The fleet page's session cookie. Not the instance admin's `tally_admin`: cookies do not tell
 * ports apart, and `npm start` serves an instance and its gateway on one host.
 */
export const fleetCookieName = 'tally_fleet'

/** Sessions signed with the gateway's admin key open the fleet page and nothing else. */
const fleetSessionPurpose = 'tally-fleet-session.v1'

export const fleetSignInText: SignInText = {
  title: 'Sign in · Tally fleet',
  heading: 'Tally fleet',
  intro:
    'Every instance sending to this gateway: its version, its active users, the features it uses. Sign in with the gateway’s admin key.',
  secret: 'Admin key',
}

/**
 * The gateway admin's credentials: its admin key as a bearer token, or a session cookie signed
 * with it (see admin-session.ts: 12 hours, revoked at sign-out, ended by rotating the key).
 * Throws InvalidSettingError for a key shorter than 16 characters or holding spaces.
 */
export function createGatewayAdminCredentials(adminKey: string): AdminCredentials {
  if (typeof adminKey !== 'string' || adminKey.length < 16 || /\s/.test(adminKey)) {
    throw new InvalidSettingError(
      'adminKey',
      'Invalid gateway option adminKey: it must be at least 16 characters, without spaces (it opens every instance’s figures)',
    )
  }
  return createAdminCredentials(adminKey, fleetSessionPurpose)
}
