/** The API path of one token by name, checked before any request (and before a confirmation prompt). */
import {NotFoundError, pathSegment} from '@ndcli/core'

/** The control plane's limit on token names: a longer name can name no token. */
export const MAX_TOKEN_NAME_LENGTH = 64
/** How much of an overlong name the error quotes, so that 10,000 characters do not fill the screen. */
const QUOTED_LENGTH = 40

/** `/api/v1/auth/tokens/<name>`; an overlong name is "no token named …" (exit 5) without asking the server. */
export function tokenPath(name: string): string {
  if (name.length > MAX_TOKEN_NAME_LENGTH) {
    throw new NotFoundError(`You have no token named "${name.slice(0, QUOTED_LENGTH)}…": token names are at most ${MAX_TOKEN_NAME_LENGTH} characters.`)
  }
  return `/api/v1/auth/tokens/${pathSegment(name, 'token name')}`
}
