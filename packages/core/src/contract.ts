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

/** An item of `GET /api/v1/auth/tokens` and the body of `GET /api/v1/auth/tokens/{name}`: metadata only, never the secret. */
export const tokenListItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'token_prefix', 'scope', 'org', 'expires_at', 'last_used_at', 'last_used_ip', 'created_at', 'is_expired', 'previous_valid_until'],
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
}

const createdTokenProperties = {
  token: {type: 'string', description: 'The secret; in no other response'},
  name: {type: 'string'},
  token_prefix: {type: 'string'},
  scope,
  org: nullableString,
  expires_at: nullableTime,
  created_at: time,
} as const

/** `POST /api/v1/auth/tokens` → 201: with the rotation, the only response that carries the secret. */
export const createdTokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'name', 'token_prefix', 'scope', 'org', 'expires_at', 'created_at'],
  properties: createdTokenProperties,
} as const

export interface CreatedToken {
  token: string
  name: string
  token_prefix: string
  scope: Scope
  org: string | null
  expires_at: string | null
  created_at: string
}

/** `POST /api/v1/auth/tokens/{name}/rotate` → 200: the create response plus the end of the grace window. */
export const rotatedTokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...createdTokenSchema.required, 'previous_valid_until'],
  properties: {
    ...createdTokenProperties,
    previous_valid_until: {...nullableTime, description: 'Until when the replaced secret is still accepted; null without a grace window'},
  },
} as const

export interface RotatedToken extends CreatedToken {
  previous_valid_until: string | null
}
