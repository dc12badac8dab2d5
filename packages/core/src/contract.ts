/**
 * The wire shape of the personal-access-token resource, declared once (api.md): JSON
 * schemas the server serializes its responses with and publishes in its OpenAPI document,
 * and the TypeScript types the CLI reads them as. test/contract.test.ts checks that each
 * type is exactly what its schema describes (json-schema-to-ts's FromSchema), so the two
 * cannot drift apart; the server's tests check its real responses against the OpenAPI document.
 *
 * No imports and no code: the server loads these objects, the plugin only the types.
 */

const nullableString = {type: ['string', 'null']} as const
const time = {type: 'string', format: 'date-time'} as const
const nullableTime = {type: ['string', 'null'], format: 'date-time'} as const

export const SCOPES = ['RW', 'RO'] as const
export type Scope = (typeof SCOPES)[number]

const scope = {type: 'string', enum: SCOPES} as const

const allowIps = {
  type: ['array', 'null'],
  items: {type: 'string'},
  description: 'The addresses (CIDR blocks, address/prefix) the token works from; null: any address',
} as const

/** The longest lifetimes an organization's token policy can require (`max_lifetime`), shortest first. */
export const MAX_LIFETIMES = ['30d', '60d', '90d', '180d', '365d'] as const
export type MaxLifetime = (typeof MAX_LIFETIMES)[number]

const tokenPolicyProperties = {
  org: {type: 'string', description: 'The organization slug'},
  max_lifetime: {type: ['string', 'null'], enum: [...MAX_LIFETIMES, null], description: 'Tokens that reach the organization must expire within this; null: no limit'},
  allowed_scopes: {type: 'array', items: scope, description: 'The scopes a token that reaches the organization may have'},
  require_org_restriction: {type: 'boolean', description: 'Tokens that reach the organization must be restricted to it (--org)'},
} as const

/** `GET|PATCH /api/v1/organizations/{slug}/token-policy` → 200: the rules for tokens that reach the organization. */
export const tokenPolicySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'max_lifetime', 'allowed_scopes', 'require_org_restriction'],
  properties: tokenPolicyProperties,
} as const

export interface TokenPolicy {
  org: string
  max_lifetime: MaxLifetime | null
  allowed_scopes: Scope[]
  require_org_restriction: boolean
}

/** An organization a token cannot reach, and why (the policy_violation message). */
const unreachableOrgSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'reason'],
  properties: {org: {type: 'string'}, reason: {type: 'string', description: 'The rules the token breaks and how to meet them'}},
} as const

export interface UnreachableOrg {
  org: string
  reason: string
}

/** One organization's policy as it applies to a requested token: the rules it breaks (none: allowed). */
const policyCheckItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...tokenPolicySchema.required, 'violations'],
  properties: {
    ...tokenPolicyProperties,
    violations: {type: 'array', items: {type: 'string'}, description: 'One sentence per broken rule, naming the allowed values; empty when allowed'},
  },
} as const

/**
 * `POST /api/v1/auth/policy-check` → 200, and `policy_check` of the create response: the policies
 * of the organizations a token would reach (its org, or every organization of the account).
 */
export const policyCheckSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['allowed', 'organizations'],
  properties: {
    allowed: {type: 'boolean', description: 'Whether the token breaks no policy of the organizations it would reach'},
    organizations: {type: 'array', items: policyCheckItemSchema},
  },
} as const

export interface PolicyCheckItem extends TokenPolicy {
  violations: string[]
}

export interface PolicyCheck {
  allowed: boolean
  organizations: PolicyCheckItem[]
}

/** An item of `GET /api/v1/auth/tokens` and the body of `GET /api/v1/auth/tokens/{name}`: metadata only, never the secret. */
export const tokenListItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'name',
    'token_prefix',
    'scope',
    'org',
    'expires_at',
    'last_used_at',
    'last_used_ip',
    'created_at',
    'is_expired',
    'previous_valid_until',
    'allow_ips',
    'unreachable_orgs',
  ],
  properties: {
    name: {type: 'string'},
    token_prefix: {type: 'string', description: 'The first 12 characters, e.g. ndpat_Jj8IYR'},
    scope,
    org: nullableString,
    expires_at: nullableTime,
    last_used_at: {...nullableTime, description: 'Updated at most once a minute'},
    last_used_ip: nullableString,
    created_at: {...time, description: 'When the current secret was issued: creation, or the last rotation'},
    is_expired: {type: 'boolean'},
    previous_valid_until: {
      ...nullableTime,
      description: 'While a rotation’s grace window is open: until when the previous secret is still accepted; null otherwise',
    },
    allow_ips: allowIps,
    unreachable_orgs: {
      type: 'array',
      items: unreachableOrgSchema,
      description: "The account's organizations whose token policy the token breaks: requests there are refused (policy_violation)",
    },
  },
} as const

export interface TokenListItem {
  name: string
  token_prefix: string
  scope: Scope
  org: string | null
  expires_at: string | null
  last_used_at: string | null
  last_used_ip: string | null
  created_at: string
  is_expired: boolean
  /** During a rotation's grace window: until when the previous secret is still accepted; else null. */
  previous_valid_until: string | null
  allow_ips: string[] | null
  unreachable_orgs: UnreachableOrg[]
}

const createdTokenProperties = {
  token: {type: 'string', description: 'The secret; in no other response'},
  name: {type: 'string'},
  token_prefix: {type: 'string'},
  scope,
  org: nullableString,
  expires_at: nullableTime,
  created_at: time,
  allow_ips: allowIps,
} as const

/** `POST /api/v1/auth/tokens` → 201: with the rotation, the only response that carries the secret. */
export const createdTokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'name', 'token_prefix', 'scope', 'org', 'expires_at', 'created_at', 'allow_ips', 'policy_check'],
  properties: {...createdTokenProperties, policy_check: policyCheckSchema},
} as const

/** What a create and a rotation both answer. */
export interface IssuedToken {
  token: string
  name: string
  token_prefix: string
  scope: Scope
  org: string | null
  expires_at: string | null
  created_at: string
  allow_ips: string[] | null
}

export interface CreatedToken extends IssuedToken {
  /** The policies of the organizations the token reaches; a token restricted to an org it breaks is refused instead. */
  policy_check: PolicyCheck
}

/** `POST /api/v1/auth/tokens/{name}/rotate` → 200: the create response plus the end of the grace window. */
export const rotatedTokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'name', 'token_prefix', 'scope', 'org', 'expires_at', 'created_at', 'allow_ips', 'previous_valid_until'],
  properties: {
    ...createdTokenProperties,
    previous_valid_until: {...nullableTime, description: 'Until when the replaced secret is still accepted; null without a grace window'},
  },
} as const

export interface RotatedToken extends IssuedToken {
  previous_valid_until: string | null
}
