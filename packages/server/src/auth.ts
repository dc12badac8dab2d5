import type {FastifyReply, FastifyRequest} from 'fastify'
import {allowListMatches, unmappedAddress} from '@ndcli/core/cidr'
import {PAT_PREFIX, validatePat} from '@ndcli/core/pat'
import {SLUG} from './accounts.js'
import type {Clock} from './clock.js'
import type {Organization, PersonalAccessToken, Role, Scope, Store, User} from './db/index.js'
import {
  ApiError,
  credentialThrottled,
  insufficientScope,
  invalidToken,
  ipNotAllowed,
  notAMember,
  notFound,
  orgRestricted,
  patNotAllowed,
  policyViolation,
  rateLimited,
  tokenExpired,
  tokenRevoked,
  tokenRotated,
  unauthenticated,
} from './errors.js'
import {policyViolations, traitsOf, violationMessage} from './policy.js'
import {secretDigest} from './secrets.js'
import type {AuthFailureThrottle, CredentialFailureThrottle} from './throttle.js'

export type Credential =
  | {type: 'session'; sessionId: string}
  /** `validUntil`: when this secret stops working — expires_at, or the end of a rotation's grace window for the previous secret. */
  | {type: 'pat'; token: PersonalAccessToken; validUntil: string | null}

/** Who is calling and with what: set on the request by the authentication hook. */
export interface Principal {
  user: User
  credential: Credential
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
}

/** last_used_at is written at most this often per token. */
const TOKEN_USE_RECORD_INTERVAL_MS = 60_000

export interface Authenticator {
  /** onRequest hook: any credential. */
  readonly anyCredential: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /** onRequest hook: a session only; a PAT gets 403 pat_not_allowed. */
  readonly sessionOnly: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
}

/**
 * Resolves the bearer credential on every request from the database (a
 * driver reuses a read only while the database is unchanged, so a revocation
 * applies to the next request).
 * Only failures are counted: per presented credential, which bounds guessing
 * one token (429 before it is checked), and per address, which refuses the
 * address's further failures (429 instead of 401) but never a credential that
 * verifies, so an innocent client sharing an address with a failing one is served.
 */
export function createAuthenticator(
  store: Store,
  clock: Clock,
  throttle: AuthFailureThrottle,
  credentialThrottle: CredentialFailureThrottle,
): Authenticator {
  function bearerSecret(request: FastifyRequest): string {
    const header = request.headers.authorization
    if (!header) throw unauthenticated()
    const match = /^Bearer +(\S+) *$/i.exec(header)
    if (!match) throw invalidToken('The Authorization header must be "Bearer <token>".')
    return match[1]!
  }

  async function resolvePat(request: FastifyRequest, secret: string, digest: string): Promise<Principal> {
    const format = validatePat(secret)
    if (!format.valid) throw invalidToken(`The personal access token is malformed: it ${format.reason}.`)
    const match = await store.findPersonalAccessTokenBySecret(digest)
    if (!match) throw invalidToken('This personal access token is not valid.')
    const {token, user} = match
    if (token.revokedAt) throw tokenRevoked()
    const now = clock().toISOString()
    if (token.expiresAt && now >= token.expiresAt) {
      throw tokenExpired('This personal access token has expired.')
    }
    // The secret a rotation replaced works only inside its grace window (now < previous_valid_until).
    if (match.secret === 'previous' && !(token.previousValidUntil && now < token.previousValidUntil)) throw tokenRotated()
    // request.ip is the socket's peer, or X-Forwarded-For's only when the operator turned on proxy trust.
    if (token.allowIps && !allowListMatches(token.allowIps, request.ip)) throw ipNotAllowed(unmappedAddress(request.ip))
    const validUntil = match.secret === 'previous' ? token.previousValidUntil : token.expiresAt
    const staleBefore = new Date(Date.parse(now) - TOKEN_USE_RECORD_INTERVAL_MS).toISOString()
    // The row just read says whether a use is due; the UPDATE's own condition still decides races between instances.
    if (!token.lastUsedAt || token.lastUsedAt < staleBefore) await store.recordTokenUse(token.id, now, request.ip, staleBefore)
    return {user, credential: {type: 'pat', token, validUntil}}
  }

  async function resolveSession(digest: string): Promise<Principal> {
    const session = await store.findSessionByAccessToken(digest)
    if (!session) throw invalidToken('This access token is not valid: sign in again with `ndcli auth login`.')
    if (clock().toISOString() >= session.accessExpiresAt) throw tokenExpired('Your session has expired.')
    return {user: session.user, credential: {type: 'session', sessionId: session.id}}
  }

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const secret = bearerSecret(request)
    const digest = secretDigest(secret)
    const guessedTooOften = credentialThrottle.retryAfterSeconds(secret, digest)
    if (guessedTooOften > 0) throw credentialThrottled(guessedTooOften)
    let principal: Principal
    try {
      principal = secret.startsWith(PAT_PREFIX) ? await resolvePat(request, secret, digest) : await resolveSession(digest)
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 401) throw failed(request, secret, error)
      throw error
    }
    credentialThrottle.recordSuccess(digest)
    request.principal = principal
    const {credential} = principal
    // For the previous secret of a rotation, the end of its grace window: a client warns before it lapses.
    if (credential.type === 'pat' && credential.validUntil) {
      reply.header('ndcli-token-expires-at', credential.validUntil)
    }
    return principal
  }

  /**
   * A rejected credential counts against its prefix always (so guessing one token stays bounded from
   * any number of addresses), and against its address unless that address already failed too often:
   * then the answer is 429 instead of the error.
   */
  function failed(request: FastifyRequest, secret: string, error: ApiError): ApiError {
    credentialThrottle.recordFailure(secret)
    const retryAfter = throttle.retryAfterSeconds(request.ip)
    if (retryAfter > 0) return rateLimited(retryAfter)
    throttle.recordFailure(request.ip)
    return error
  }

  return {
    async anyCredential(request, reply) {
      await authenticate(request, reply)
    },
    async sessionOnly(request, reply) {
      const principal = await authenticate(request, reply)
      if (principal.credential.type !== 'session') throw patNotAllowed()
    },
  }
}

/** The principal set by the hook; routes declare the hook, so it is always there. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated()
  return request.principal
}

const ROLE_SCOPE: Record<Role, Scope> = {superuser: 'RW', 'read-write': 'RW', 'read-only': 'RO'}

/** The lower of the credential's scope and the caller's role in the organization. */
export function effectiveScope(credential: Credential, role: Role): Scope {
  const tokenScope = credential.type === 'pat' ? credential.token.scope : 'RW'
  return tokenScope === 'RW' && ROLE_SCOPE[role] === 'RW' ? 'RW' : 'RO'
}

/** Organizations a credential may see: an org-restricted token sees only its own. */
export function visibleToCredential(credential: Credential, orgId: string): boolean {
  return credential.type !== 'pat' || credential.token.orgId === null || credential.token.orgId === orgId
}

/**
 * Checks access to one organization and returns it with the caller's role.
 * 404 when it does not exist, 403 org_restricted / policy_violation / not_a_member / insufficient_scope otherwise.
 */
export async function authorizeOrganization(
  store: Store,
  principal: Principal,
  slug: string,
  access: 'read' | 'write',
): Promise<{organization: Organization; role: Role}> {
  // A slug that could never be valid names no organization: 404 without a query.
  const organization = SLUG.test(slug) ? await store.findOrganizationBySlug(slug) : undefined
  if (!organization) throw notFound(`No organization with the slug "${slug}".`)
  if (!visibleToCredential(principal.credential, organization.id)) throw orgRestricted(slug)
  // Read with the organization on every request: a policy change applies to the next one, on every instance.
  if (principal.credential.type === 'pat') {
    const violations = policyViolations(organization, traitsOf(principal.credential.token))
    if (violations.length > 0) throw policyViolation(violationMessage(violations))
  }
  const role = await store.findRole(principal.user.id, organization.id)
  if (!role) throw notAMember(slug)
  if (access === 'write' && effectiveScope(principal.credential, role) !== 'RW') {
    throw insufficientScope(
      principal.credential.type === 'pat' && principal.credential.token.scope === 'RO'
        ? 'This token is read-only (scope RO): use a token with scope RW to make changes.'
        : `Your role in "${slug}" is read-only: ask a superuser of the organization for write access.`,
    )
  }
  return {organization, role}
}
