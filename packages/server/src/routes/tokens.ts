import type {FastifyInstance} from 'fastify'
import {MAX_ALLOWED_IPS, parseAllowList} from '@ndcli/core/cidr'
import {
  createdTokenSchema,
  policyCheckSchema,
  rotatedTokenSchema,
  tokenListItemSchema,
  type CreatedToken,
  type PolicyCheck,
  type RotatedToken,
  type TokenListItem,
} from '@ndcli/core/contract'
import {generatePat, patDisplayPrefix} from '@ndcli/core/pat'
import {SLUG} from '../accounts.js'
import {principalOf} from '../auth.js'
import {addSeconds} from '../clock.js'
import type {AppContext} from '../context.js'
import {UniqueViolation, type Membership, type Organization, type PersonalAccessToken, type Scope, type Store, type User} from '../db/index.js'
import {invalidInput, nameTaken, notAMember, notFound, policyViolation, rotationConflict} from '../errors.js'
import {policyCheckItem, policyViolations, rotationRefusal, traitsOf, violationMessage, type TokenTraits} from '../policy.js'
import {secretDigest} from '../secrets.js'

/** `expires_in` choices and their length in days (null: never expires). */
export const EXPIRY_DAYS: Readonly<Record<string, number | null>> = {
  '30d': 30,
  '60d': 60,
  '90d': 90,
  '180d': 180,
  '365d': 365,
  never: null,
}
const DEFAULT_EXPIRY = '90d'

/** A new token's name: no leading or trailing whitespace (it starts with a letter or digit and does not end with a space). */
const TOKEN_NAME_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,62}[A-Za-z0-9._-])?$'
/**
 * Names that may already exist: before the rule above, a name could end with spaces. Lookups
 * (show, rotate, revoke) still accept those, so such a token can be rotated and revoked.
 */
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/

export const createTokenBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'scope'],
  properties: {
    name: {
      type: 'string',
      pattern: TOKEN_NAME_PATTERN,
      description: "must be 1-64 characters: letters, digits, space, '.', '_' or '-', starting with a letter or digit and not ending with a space",
    },
    scope: {type: 'string', pattern: '^([Rr][Ww]|[Rr][Oo])$', description: 'must be one of: RW, RO'},
    org: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: 64,
      description: 'must be the slug of an organization you are a member of, or null for all organizations',
    },
    expires_in: {
      type: 'string',
      enum: Object.keys(EXPIRY_DAYS),
      description: `must be one of: ${Object.keys(EXPIRY_DAYS).join(', ')}`,
    },
    allow_ips: {
      type: ['array', 'null'],
      maxItems: MAX_ALLOWED_IPS,
      items: {type: 'string', maxLength: 64, description: 'must be an IPv4 or IPv6 address or CIDR block'},
      description: `must be a list of at most ${MAX_ALLOWED_IPS} IPv4 or IPv6 addresses or CIDR blocks (e.g. 203.0.113.0/24), or null for any address`,
    },
  },
} as const

/** `POST /api/v1/auth/policy-check`: the create body without the name, which no policy judges. */
export const policyCheckBodySchema = {...createTokenBodySchema, required: ['scope']} as const

/** The longest grace window of a rotation: long enough to roll a secret out, short enough to bound a leak. */
export const MAX_GRACE_SECONDS = 24 * 3600

export const rotateTokenBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    grace_seconds: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_GRACE_SECONDS,
      description: `must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (24 hours)`,
    },
  },
} as const

interface RotateTokenBody {
  grace_seconds?: number
}

interface CreateTokenBody {
  name: string
  scope: string
  org?: string | null
  expires_in?: string
  allow_ips?: string[] | null
}

/**
 * `at`: now as ISO-8601 (a list formats it once, not once per token). `memberships`: the
 * account's organizations, whose policies say which of them the token cannot reach.
 */
export function tokenListItem(token: PersonalAccessToken, at: string, memberships: readonly Membership[]): TokenListItem {
  const traits = traitsOf(token)
  return {
    name: token.name,
    token_prefix: token.tokenPrefix,
    scope: token.scope,
    org: token.orgSlug,
    expires_at: token.expiresAt,
    last_used_at: token.lastUsedAt,
    last_used_ip: token.lastUsedIp,
    created_at: token.createdAt,
    is_expired: token.expiresAt !== null && at >= token.expiresAt,
    previous_valid_until: previousValidUntil(token, at),
    allow_ips: token.allowIps,
    unreachable_orgs: memberships
      .filter(({organization}) => token.orgId === null || token.orgId === organization.id)
      .map(({organization}) => ({org: organization.slug, violations: policyViolations(organization, traits)}))
      .filter(({violations}) => violations.length > 0)
      .map(({org, violations}) => ({org, reason: violationMessage(violations)})),
  }
}

/** The policies of the organizations a token would reach: its org, or every organization of the account. */
async function checkPolicies(store: Store, user: User, organization: Organization | undefined, traits: TokenTraits): Promise<PolicyCheck> {
  const reached = organization ? [organization] : (await store.listMemberships(user.id)).map((membership) => membership.organization)
  const organizations = reached.map((org) => policyCheckItem(org, traits))
  return {allowed: organizations.every((item) => item.violations.length === 0), organizations}
}

/** The end of an open grace window, else null (also once it has passed, or after the token expired). */
function previousValidUntil(token: PersonalAccessToken, at: string): string | null {
  const until = token.previousValidUntil
  if (until === null || at >= until || (token.expiresAt !== null && at >= token.expiresAt)) return null
  return until
}

/** Responses go through Fastify's compiled serializer (fast-json-stringify) with the contract's schemas: faster than JSON.stringify, and no field leaves that the contract does not declare. */
const tokenListResponseSchema = {type: 'array', items: tokenListItemSchema} as const

/** Tries of a rotation that keeps losing to parallel ones; each lost try means another rotation was applied. */
const MAX_ROTATION_ATTEMPTS = 50

/** How long the token lives in seconds (null: never), kept by a rotation: expires_at − created_at. */
function lifetimeSeconds(token: PersonalAccessToken): number | null {
  return token.expiresAt === null ? null : (Date.parse(token.expiresAt) - Date.parse(token.createdAt)) / 1000
}

export function registerTokenRoutes(app: FastifyInstance, {store, clock, auth}: AppContext): void {
  /** The caller's live token of that name; 404 otherwise, also for a name that could never be valid. */
  async function liveTokenNamed(name: string, userId: string): Promise<PersonalAccessToken & {tokenDigest: string}> {
    const token = TOKEN_NAME.test(name) ? await store.findLivePersonalAccessToken(userId, name) : undefined
    if (!token) throw notFound(`You have no token named "${name}".`)
    return token
  }

  /** The requested token of a create or a policy check: its organization (checked), traits and allowlist. */
  async function requestedToken(user: User, body: Omit<CreateTokenBody, 'name'>) {
    const {org: slug, expires_in: expiresIn = DEFAULT_EXPIRY} = body
    const scope = body.scope.toUpperCase() as Scope
    const organization = slug && SLUG.test(slug) ? await store.findOrganizationBySlug(slug) : undefined
    if (slug && !organization) throw notFound(`No organization with the slug "${slug}".`)
    if (slug && organization && !(await store.findRole(user.id, organization.id))) throw notAMember(slug)
    let allowIps: string[] | null = null
    if (body.allow_ips) {
      const parsed = parseAllowList(body.allow_ips, 'allow_ips')
      if (!parsed.ok) throw invalidInput(parsed.message)
      allowIps = parsed.cidrs.length > 0 ? parsed.cidrs : null
    }
    const days = EXPIRY_DAYS[expiresIn] ?? null
    const traits: TokenTraits = {scope, orgId: organization?.id ?? null, lifetimeDays: days}
    return {organization, scope, days, traits, allowIps}
  }

  app.post<{Body: Omit<CreateTokenBody, 'name'>}>(
    '/api/v1/auth/policy-check',
    {onRequest: auth.sessionOnly, schema: {body: policyCheckBodySchema, response: {200: policyCheckSchema}}},
    async (request) => {
      const {user} = principalOf(request)
      const {organization, traits} = await requestedToken(user, request.body)
      return checkPolicies(store, user, organization, traits)
    },
  )

  app.post<{Body: CreateTokenBody}>(
    '/api/v1/auth/tokens',
    {onRequest: auth.sessionOnly, schema: {body: createTokenBodySchema, response: {201: createdTokenSchema}}},
    async (request, reply) => {
      const {user} = principalOf(request)
      const {name} = request.body
      const {organization, scope, days, traits, allowIps} = await requestedToken(user, request.body)
      const policyCheck = await checkPolicies(store, user, organization, traits)
      // Restricted to an org whose policy it breaks: useless, so refused. Unrestricted: made, and refused only there.
      if (organization && !policyCheck.allowed) throw policyViolation(violationMessage(policyCheck.organizations[0]!.violations))

      const now = clock()
      const token = generatePat()
      const created = {
        name,
        token_prefix: patDisplayPrefix(token),
        scope,
        org: organization?.slug ?? null,
        expires_at: days === null ? null : addSeconds(now, days * 86_400).toISOString(),
        created_at: now.toISOString(),
        allow_ips: allowIps,
      }
      try {
        await store.createPersonalAccessToken({
          userId: user.id,
          name,
          tokenDigest: secretDigest(token),
          tokenPrefix: created.token_prefix,
          scope,
          orgId: organization?.id ?? null,
          expiresAt: created.expires_at,
          createdAt: created.created_at,
          allowIps,
        })
      } catch (error) {
        if (error instanceof UniqueViolation) throw nameTaken(name)
        throw error
      }
      return reply.code(201).send({token, ...created, policy_check: policyCheck} satisfies CreatedToken)
    },
  )

  // Account-level: an org-restricted token still lists every token of its account.
  app.get('/api/v1/auth/tokens', {onRequest: auth.anyCredential, schema: {response: {200: tokenListResponseSchema}}}, async (request) => {
    const {user} = principalOf(request)
    const at = clock().toISOString()
    const [tokens, memberships] = await Promise.all([store.listPersonalAccessTokens(user.id), store.listMemberships(user.id)])
    return tokens.map((token) => tokenListItem(token, at, memberships))
  })

  app.get<{Params: {name: string}}>('/api/v1/auth/tokens/:name', {onRequest: auth.anyCredential, schema: {response: {200: tokenListItemSchema}}}, async (request) => {
    const {user} = principalOf(request)
    const token = await liveTokenNamed(request.params.name, user.id)
    return tokenListItem(token, clock().toISOString(), await store.listMemberships(user.id))
  })

  app.post<{Params: {name: string}; Body: RotateTokenBody}>(
    '/api/v1/auth/tokens/:name/rotate',
    {
      onRequest: auth.sessionOnly,
      // The body is optional: no body means no grace window.
      preValidation: async (request) => {
        request.body ??= {}
      },
      schema: {body: rotateTokenBodySchema, response: {200: rotatedTokenSchema}},
    },
    async (request) => {
      const {name} = request.params
      const userId = principalOf(request).user.id
      const graceSeconds = request.body.grace_seconds ?? 0
      // Parallel rotations of one token are applied one after another, on both back ends: each is a
      // compare-and-set on the secret it read, and one that lost to another is tried again on the
      // secret that won (SQLite serialised them anyway, PostgreSQL answered some 409). Each answers
      // 200 with its own secret; the last one applied is the current secret.
      for (let attempt = 1; ; attempt++) {
        const token = await liveTokenNamed(name, userId)
        // The org's policy may have changed since the token was made: a rotation must not renew a token it forbids.
        if (token.orgId !== null) {
          const organization = token.orgSlug === null ? undefined : await store.findOrganizationBySlug(token.orgSlug)
          const refusal = organization ? rotationRefusal(organization, token) : null
          if (refusal) throw policyViolation(refusal)
        }
        const now = clock()
        const lifetime = lifetimeSeconds(token)
        // An expired secret gets no grace: a rotation renews the token, it must not revive the old secret.
        const expired = token.expiresAt !== null && now.toISOString() >= token.expiresAt
        const validUntil = graceSeconds > 0 && !expired ? addSeconds(now, graceSeconds).toISOString() : null
        const secret = generatePat()
        const rotated = {
          name: token.name,
          token_prefix: patDisplayPrefix(secret),
          scope: token.scope,
          org: token.orgSlug,
          expires_at: lifetime === null ? null : addSeconds(now, lifetime).toISOString(),
          created_at: now.toISOString(),
          allow_ips: token.allowIps,
        }
        const applied = await store.rotatePersonalAccessToken({
          tokenId: token.id,
          currentDigest: token.tokenDigest,
          nextDigest: secretDigest(secret),
          nextPrefix: rotated.token_prefix,
          createdAt: rotated.created_at,
          expiresAt: rotated.expires_at,
          previousValidUntil: validUntil,
        })
        if (applied) return {token: secret, ...rotated, previous_valid_until: validUntil} satisfies RotatedToken
        // Only under contention no real use produces: then 409, nothing changed by this request.
        if (attempt === MAX_ROTATION_ATTEMPTS) throw rotationConflict(name)
      }
    },
  )

  // A name that cannot be valid simply matches no token: 404, like any other unknown name.
  app.delete<{Params: {name: string}}>(
    '/api/v1/auth/tokens/:name',
    {onRequest: auth.sessionOnly},
    async (request, reply) => {
      const {user} = principalOf(request)
      const {name} = request.params
      const revoked = TOKEN_NAME.test(name) && (await store.revokePersonalAccessToken(user.id, name, clock().toISOString()))
      if (!revoked) {
        throw notFound(`You have no token named "${name}".`)
      }
      return reply.code(204).send()
    },
  )
}
