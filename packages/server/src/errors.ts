/** The JSON error envelope of api.md: `{"error": {"code", "message"}}`, raised where the failure is known. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  get body(): ErrorBody {
    return errorBody(this.code, this.message)
  }
}

export interface ErrorBody {
  error: {code: string; message: string}
}

export function errorBody(code: string, message: string): ErrorBody {
  return {error: {code, message}}
}

export const invalidInput = (message: string) => new ApiError(400, 'invalid_input', message)
export const unauthenticated = () =>
  new ApiError(401, 'unauthenticated', 'Authentication required: send Authorization: Bearer <token>.')
export const invalidToken = (message: string) => new ApiError(401, 'invalid_token', message)
export const tokenExpired = (message: string) => new ApiError(401, 'token_expired', message)
export const tokenRevoked = () => new ApiError(401, 'token_revoked', 'This personal access token has been revoked.')
/** The secret a rotation replaced, after its grace window (or at once without one): as good as revoked. */
export const tokenRotated = () =>
  new ApiError(401, 'token_revoked', 'This personal access token was rotated: use the new secret issued by the rotation.')
export const insufficientScope = (message: string) => new ApiError(403, 'insufficient_scope', message)
export const patNotAllowed = () =>
  new ApiError(
    403,
    'pat_not_allowed',
    'Personal access tokens cannot create or revoke tokens: sign in with `ndcli auth login` instead.',
  )
export const orgRestricted = (slug: string) =>
  new ApiError(403, 'org_restricted', `This token is restricted to another organization and cannot access "${slug}".`)
export const notAMember = (slug: string) =>
  new ApiError(403, 'not_a_member', `You are not a member of the organization "${slug}".`)
export const notFound = (message: string) => new ApiError(404, 'not_found', message)
export const nameTaken = (name: string) => new ApiError(409, 'name_taken', `A token named "${name}" already exists.`)
export const rateLimited = (
  retryAfterSeconds: number,
  what = 'failed authentication attempts',
) =>
  new ApiError(429, 'rate_limited', `Too many ${what} from your address: try again in ${retryAfterSeconds} seconds.`, {
    'retry-after': String(retryAfterSeconds),
  })
/** Too many failures with credentials that begin like this one (from any address): it is not even checked for a while. */
export const credentialThrottled = (retryAfterSeconds: number) =>
  new ApiError(
    429,
    'rate_limited',
    `Too many failed attempts with a credential that begins like this one: try again in ${retryAfterSeconds} seconds.`,
    {'retry-after': String(retryAfterSeconds)},
  )
/** The server holds as many pending sign-ins as it allows: 503 temporarily_unavailable on /oauth/device/code. */
export const tooManyPendingSignIns = (retryAfterSeconds: number) =>
  new ApiError(503, 'temporarily_unavailable', `The server has too many sign-ins in progress: try again in ${retryAfterSeconds} seconds.`, {
    'retry-after': String(retryAfterSeconds),
  })
export const rotationConflict = (name: string) =>
  new ApiError(409, 'conflict', `The token "${name}" is being rotated by many other requests at the same time: list it and try again.`)

/** An RFC 6749 / RFC 8628 / RFC 7009 error code; /oauth/* answers them as `{"error", "error_description"}` (RFC 6749 §5.2). */
export const oauthError = (code: string, message: string) => new ApiError(400, code, message)

/** The error codes the OAuth RFCs define for the token, device authorization and revocation endpoints. */
const OAUTH_ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'unsupported_token_type',
  'server_error',
  'temporarily_unavailable',
])

export interface OAuthErrorBody {
  error: string
  error_description: string
}

/**
 * The RFC 6749 §5.2 body of an error raised on an OAuth endpoint. Errors found before the route
 * (413, 415, a body that is not UTF-8) carry API codes: they become invalid_request, and 5xx
 * server_error (the status stays). 429 keeps the extension code rate_limited, with Retry-After.
 */
export function oauthErrorBody(error: ApiError): OAuthErrorBody {
  let code = error.code
  if (!OAUTH_ERROR_CODES.has(code) && code !== 'rate_limited') {
    code = error.statusCode >= 500 ? (error.statusCode === 503 ? 'temporarily_unavailable' : 'server_error') : 'invalid_request'
  }
  return {error: code, error_description: error.message}
}

/** The token breaks the token policy of an organization it reaches; `message` names the org, the rules and the allowed values. */
export const policyViolation = (message: string) => new ApiError(403, 'policy_violation', message)
/** The token's IP allowlist does not contain the caller: names the address seen, never the list. */
export const ipNotAllowed = (ip: string) =>
  new ApiError(403, 'ip_not_allowed', `This token is not allowed from ${ip}: use it from an address on its allowlist, or create a token that allows ${ip}.`)
