import {createdTokenSchema, policyCheckSchema, rotatedTokenSchema, tokenListItemSchema, tokenPolicySchema} from '@ndcli/core/contract'

import {revokeCredentialBodySchema} from './routes/credentials.js'
import {createTokenBodySchema, policyCheckBodySchema, rotateTokenBodySchema} from './routes/tokens.js'
import {updateOrganizationBodySchema, updateTokenPolicyBodySchema} from './routes/organizations.js'
import {DEVICE_CODE_GRANT} from './routes/oauth.js'

/**
 * The contract as served at /api/v1/openapi.json. Request bodies reuse the
 * schemas the routes validate with, and the token resource is @ndcli/core's
 * contract, which the routes serialize with, so the document cannot drift from
 * them (test/openapi-conformance.test.ts checks real responses against it);
 * the decisions api.md left open are recorded in the descriptions.
 */

const nullableString = {type: ['string', 'null']} as const
const time = {type: 'string', format: 'date-time'} as const
const nullableTime = {type: ['string', 'null'], format: 'date-time'} as const

const json = (schema: object) => ({content: {'application/json': {schema}}})
const form = (schema: object) => ({
  content: {'application/x-www-form-urlencoded': {schema}, 'application/json': {schema}},
})
const error = (description: string, codes: string[]) => ({
  description: `${description} (codes: ${codes.join(', ')})`,
  ...json({$ref: '#/components/schemas/Error'}),
})

const unauthorized = error('The credential is missing or rejected', ['unauthenticated', 'invalid_token', 'token_expired', 'token_revoked'])
/**
 * How failures are throttled (issue 18): only failures count, and a credential that verifies is
 * served whatever its address did. Counted in memory by each instance, so behind a load balancer
 * that spreads requests over N instances an address or a credential prefix gets up to N × the limit.
 */
const THROTTLING =
  'Only failed authentications count (NDCLI_SERVER_AUTH_FAILURE_LIMIT, 20 a minute): past the limit, further failures from the same address get 429 instead of 401, but a credential that verifies is still served; a credential beginning like one that failed that often (its first 12 characters, from any address) is refused with 429 before it is checked, unless this instance has verified that exact secret before. Windows run on a monotonic clock (Retry-After is at most 60). Each instance counts what it sees: N instances allow up to N × the limit'
/** Any request with a PAT from an address outside its allowlist (the message names the address seen, never the list). */
const ipRefused = 'a PAT used from an address outside its allow_ips (ip_not_allowed)'
const throttled = {
  ...error(`Too many failures. ${THROTTLING}`, ['rate_limited']),
  headers: {'Retry-After': {schema: {type: 'integer'}, description: 'Seconds to wait'}},
}
const badInput = error('The request is invalid; the message names the field and the allowed values', ['invalid_input'])
const authenticated = {security: [{bearer: []}]}
const patExpiryHeader = {
  'NDCLI-Token-Expires-At': {schema: time, description: 'Sent when the credential is a PAT with an expiry'},
}

const tokenNameParameter = {name: 'name', in: 'path', required: true, schema: {type: 'string'}, description: 'URL-encoded'}

const organization = {
  type: 'object',
  required: ['slug', 'name', 'description', 'role', 'created_at'],
  properties: {
    slug: {type: 'string'},
    name: {type: 'string'},
    description: nullableString,
    role: {enum: ['superuser', 'read-write', 'read-only'], description: "The caller's role"},
    created_at: time,
  },
}

const organizationListItem = {
  type: 'object',
  required: [...organization.required, 'unreachable_reason'],
  properties: {
    ...organization.properties,
    unreachable_reason: {
      ...nullableString,
      description: "null, or why the PAT in use cannot reach the organization: the org's token policy it breaks (the policy_violation message its requests there get)",
    },
  },
}

const oauthErrors = (codes: string[]) => ({
  description: `RFC 6749 §5.2 error, not the API envelope (codes: ${codes.join(', ')}); 413 and 415 are invalid_request here`,
  ...json({$ref: '#/components/schemas/OAuthError'}),
})
const oauthThrottled = {...oauthErrors(['rate_limited']), headers: throttled.headers}
/** Found before the route (body too large, a media type or charset other than form, JSON, UTF-8): still RFC 6749 §5.2 on /oauth/*. */
const oauthBeforeRoute = {
  413: oauthErrors(['invalid_request']),
  415: {...oauthErrors(['invalid_request']), description: 'RFC 6749 §5.2 invalid_request: the body is neither a form nor JSON, or is JSON in a charset other than UTF-8'},
}
/** Why a request that changes an organization is refused with 403 (role, restriction, policy, membership, allowlist). */
const ORG_WRITE_REFUSALS = ['insufficient_scope', 'org_restricted', 'policy_violation', 'not_a_member', 'ip_not_allowed']
const slugParameter = {name: 'slug', in: 'path', required: true, schema: {type: 'string'}}

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'ndcli control plane',
    version: '1.0.0',
    description:
      'Every error is {"error": {"code", "message"}} (also 404 for unknown routes, 413 payload_too_large, 415 unsupported_media_type and 500 internal_error), except on /oauth/device/code, /oauth/token and /oauth/revoke, which answer RFC 6749 §5.2 {"error", "error_description"}. Request bodies are JSON (16 KiB at most, no unknown fields, no repeated keys); /oauth/* and /activate also take HTML forms.' +
      ' JSON must be UTF-8: a Content-Type charset other than utf-8 is 415. Text anywhere in a request must be valid Unicode: a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape) is 400 invalid_input on both back ends, as is U+0000.',
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A session access token (device flow) or a personal access token (ndpat_…)',
      },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {type: 'object', required: ['code', 'message'], properties: {code: {type: 'string'}, message: {type: 'string'}}},
        },
      },
      TokenListItem: tokenListItemSchema,
      CreatedToken: createdTokenSchema,
      RotatedToken: rotatedTokenSchema,
      TokenPolicy: tokenPolicySchema,
      PolicyCheck: policyCheckSchema,
      Organization: organization,
      OrganizationListItem: organizationListItem,
      OAuthError: {
        type: 'object',
        required: ['error', 'error_description'],
        additionalProperties: false,
        properties: {error: {type: 'string'}, error_description: {type: 'string'}},
      },
    },
  },
  paths: {
    '/api/v1/auth/tokens': {
      post: {
        summary: 'Create a personal access token (session only)',
        ...authenticated,
        requestBody: {required: true, ...json(createTokenBodySchema)},
        responses: {
          201: {
            description: 'Created; with rotate, the only response that contains the secret',
            ...json({$ref: '#/components/schemas/CreatedToken'}),
          },
          400: badInput,
          401: unauthorized,
          403: error(
            'A PAT cannot create tokens, the caller is not a member of org, or the token is restricted to an org whose token policy it breaks (the message names the org, the rule and the allowed values); an unrestricted token that breaks some policy is created, and policy_check says where it is refused',
            ['pat_not_allowed', 'not_a_member', 'policy_violation'],
          ),
          404: error('org names no organization', ['not_found']),
          409: error('A live token of this account has the name', ['name_taken']),
          429: throttled,
        },
      },
      get: {
        summary: "List the account's live tokens (also for org-restricted PATs: tokens belong to the account)",
        ...authenticated,
        responses: {
          200: {description: 'Tokens, oldest first', headers: patExpiryHeader, ...json({type: 'array', items: {$ref: '#/components/schemas/TokenListItem'}})},
          401: unauthorized,
          429: throttled,
        },
      },
    },
    '/api/v1/auth/tokens/{name}': {
      get: {
        summary: 'One live token of the account, as in the list (session or PAT, like the list)',
        ...authenticated,
        parameters: [tokenNameParameter],
        responses: {
          200: {description: 'The token', headers: patExpiryHeader, ...json({$ref: '#/components/schemas/TokenListItem'})},
          401: unauthorized,
          404: error('No live token has this name (also for names that could never be valid)', ['not_found']),
          429: throttled,
        },
      },
      delete: {
        summary: 'Revoke a token by name (session only)',
        ...authenticated,
        parameters: [tokenNameParameter],
        responses: {
          204: {description: 'Revoked; the token is refused from the next request on'},
          401: unauthorized,
          403: error('A PAT cannot revoke tokens', ['pat_not_allowed']),
          404: error('No live token has this name (also for names that could never be valid)', ['not_found']),
          429: throttled,
        },
      },
    },
    '/api/v1/auth/tokens/{name}/rotate': {
      post: {
        summary: 'Issue a new secret for a live token (session only), optionally keeping the old one for a grace window',
        description:
          'Name, scope and org stay; the lifetime restarts with the same length (expires_at − created_at; a token that never expires stays so), and created_at becomes the time of the rotation. ' +
          'The previous secret is accepted while now < previous_valid_until (grace_seconds, default 0: it stops at once) and never after a revocation; ' +
          'a later rotation ends an open window (only the secret just replaced can be in grace). An expired token can be rotated (that renews it) but its old secret gets no grace. ' +
          'Presenting a replaced secret outside its window is 401 token_revoked. The body is optional.',
        ...authenticated,
        parameters: [tokenNameParameter],
        requestBody: {required: false, ...json(rotateTokenBodySchema)},
        responses: {
          200: {
            description: 'Rotated: the create response plus previous_valid_until (null without grace)',
            ...json({$ref: '#/components/schemas/RotatedToken'}),
          },
          400: badInput,
          401: unauthorized,
          403: error("A PAT cannot rotate tokens, or the token's org now has a token policy it breaks", ['pat_not_allowed', 'policy_violation']),
          404: error('No live token has this name', ['not_found']),
          409: error(
            'Parallel rotations of one token are applied one after another (on SQLite and PostgreSQL alike): each answers 200 with its own secret, and the last one applied is current. 409 only when a rotation lost to 50 others in a row; nothing changed',
            ['conflict'],
          ),
          429: throttled,
        },
      },
    },
    '/api/v1/credentials/revoke': {
      post: {
        summary: 'Revoke a personal access token by its value, without a credential (a leaked secret)',
        description:
          'Presenting the secret is the proof of possession, so no Authorization is needed (one that is sent is ignored). ' +
          'The answer is 202 whether or not the value named a live token, so it reveals nothing. The current secret of a token revokes the token ' +
          '(it leaves the owner’s list at once); the previous secret of a rotation ends its grace window and leaves the new secret working. ' +
          'Every request counts against the client address: NDCLI_SERVER_CREDENTIAL_REVOKE_LIMIT (10) per minute, then 429 with Retry-After.',
        requestBody: {required: true, ...json(revokeCredentialBodySchema)},
        responses: {
          202: {description: 'Accepted: if the value was a live secret, it no longer works'},
          400: error('The body is invalid, or token is not a well-formed PAT (the format is public; this says nothing about existence)', ['invalid_input']),
          429: {
            ...error('Too many revocation requests from this address', ['rate_limited']),
            headers: {'Retry-After': {schema: {type: 'integer'}, description: 'Seconds to wait'}},
          },
        },
      },
    },
    '/api/v1/auth/me': {
      get: {
        summary: 'The caller and the credential in use',
        ...authenticated,
        responses: {
          200: {
            description: 'Organizations are filtered for an org-restricted PAT',
            headers: patExpiryHeader,
            ...json({
              type: 'object',
              properties: {
                email: {type: 'string'},
                name: nullableString,
                organizations: {
                  type: 'array',
                  items: {type: 'object', properties: {slug: {type: 'string'}, role: {type: 'string'}}},
                },
                credential: {
                  type: 'object',
                  required: ['type'],
                  properties: {
                    type: {enum: ['session', 'pat']},
                    name: {type: 'string'},
                    scope: {enum: ['RW', 'RO']},
                    org: nullableString,
                    expires_at: nullableTime,
                  },
                },
              },
            }),
          },
          401: unauthorized,
          429: throttled,
        },
      },
    },
    '/api/v1/organizations': {
      get: {
        summary: 'Organizations the caller belongs to (only its own for an org-restricted PAT)',
        ...authenticated,
        responses: {
          200: {
            description: "By slug; an org whose token policy the PAT breaks is listed with unreachable_reason (its requests there get 403 policy_violation)",
            headers: patExpiryHeader,
            ...json({type: 'array', items: {$ref: '#/components/schemas/OrganizationListItem'}}),
          },
          401: unauthorized,
          429: throttled,
        },
      },
    },
    '/api/v1/organizations/{slug}': {
      get: {
        summary: 'One organization',
        ...authenticated,
        parameters: [slugParameter],
        responses: {
          200: {description: 'The organization', ...json({$ref: '#/components/schemas/Organization'})},
          401: unauthorized,
          403: error(`Restricted token, a token that breaks the org's token policy, not a member, or ${ipRefused}`, ['org_restricted', 'policy_violation', 'not_a_member', 'ip_not_allowed']),
          404: error('No such organization', ['not_found']),
          429: throttled,
        },
      },
      patch: {
        summary: 'Change the description; needs effective RW (the lower of token scope and role)',
        ...authenticated,
        parameters: [slugParameter],
        requestBody: {required: true, ...json(updateOrganizationBodySchema)},
        responses: {
          200: {description: 'The updated organization', ...json({$ref: '#/components/schemas/Organization'})},
          400: badInput,
          401: unauthorized,
          403: error("Read-only token or role, restricted token, a token that breaks the org's token policy, or not a member", ORG_WRITE_REFUSALS),
          404: error('No such organization', ['not_found']),
          429: throttled,
        },
      },
    },
    '/oauth/device/code': {
      post: {
        summary: 'Start a device authorization (RFC 8628 §3.1)',
        requestBody: {required: true, ...form({type: 'object', required: ['client_id'], properties: {client_id: {const: 'ndcli'}}})},
        responses: {
          200: {
            description: 'user_code is 8 letters shown as ABCD-EFGH',
            ...json({
              type: 'object',
              properties: {
                device_code: {type: 'string'},
                user_code: {type: 'string'},
                verification_uri: {type: 'string'},
                verification_uri_complete: {type: 'string'},
                expires_in: {type: 'integer'},
                interval: {type: 'integer'},
              },
            }),
          },
          400: oauthErrors(['invalid_request', 'invalid_client']),
          ...oauthBeforeRoute,
          429: {
            ...oauthErrors(['rate_limited']),
            description:
              'RFC 6749 §5.2 error rate_limited, with Retry-After: more than NDCLI_SERVER_DEVICE_CODE_LIMIT (10) requests a minute from this address (counted by each instance), or NDCLI_SERVER_MAX_PENDING_DEVICE_CODES_PER_ADDRESS (20) pending codes of this address (counted in the database, so across instances)',
            headers: throttled.headers,
          },
          503: {
            ...oauthErrors(['temporarily_unavailable']),
            description:
              'RFC 6749 §5.2 error temporarily_unavailable, with Retry-After: the server holds NDCLI_SERVER_MAX_PENDING_DEVICE_CODES (10000) pending codes from all addresses. Expired codes are deleted on each issuance and every 5 minutes',
            headers: throttled.headers,
          },
        },
      },
    },
    '/oauth/token': {
      post: {
        summary: 'Exchange a device code, or rotate a refresh token',
        description:
          'slow_down adds 5 seconds to the interval (RFC 8628 §3.5). A refresh rotates both tokens: the previous refresh and access tokens stop working.',
        requestBody: {
          required: true,
          ...form({
            type: 'object',
            required: ['grant_type'],
            properties: {
              grant_type: {enum: [DEVICE_CODE_GRANT, 'refresh_token']},
              device_code: {type: 'string'},
              refresh_token: {type: 'string'},
              client_id: {type: 'string'},
            },
          }),
        },
        responses: {
          200: {
            description: 'A session',
            ...json({
              type: 'object',
              properties: {
                access_token: {type: 'string'},
                refresh_token: {type: 'string'},
                token_type: {const: 'Bearer'},
                expires_in: {type: 'integer'},
              },
            }),
          },
          400: oauthErrors([
            'invalid_request',
            'unsupported_grant_type',
            'invalid_grant',
            'authorization_pending',
            'slow_down',
            'access_denied',
            'expired_token',
          ]),
          ...oauthBeforeRoute,
          429: oauthThrottled,
          ...oauthBeforeRoute,
        },
      },
    },
    '/oauth/revoke': {
      post: {
        summary: 'End the session an access or refresh token belongs to (RFC 7009)',
        requestBody: {
          required: true,
          ...form({type: 'object', required: ['token'], properties: {token: {type: 'string'}, token_type_hint: {type: 'string'}}}),
        },
        responses: {200: {description: 'Always, whether or not the token was valid'}, 400: oauthErrors(['invalid_request']), ...oauthBeforeRoute},
      },
    },
    '/activate': {
      get: {
        summary: 'The sign-in page (HTML); ?user_code= pre-fills the code',
        responses: {
          200: {
            description: 'HTML form; sets the CSRF nonce cookie (__Host-ndcli_csrf when the public URL is https, else ndcli_csrf)',
            content: {'text/html': {}},
          },
        },
      },
      post: {
        summary: 'Approve or deny a device (HTML form: user_code, email, password, csrf_token, action=approve|deny)',
        responses: {
          200: {description: 'Device approved / denied page', content: {'text/html': {}}},
          400: {description: 'Unknown or expired code, or no action chosen: the form again', content: {'text/html': {}}},
          401: {description: 'Wrong email or password: the form again; the device stays pending', content: {'text/html': {}}},
          403: {
            description:
              'A CSRF token the server did not issue for this cookie (or older than a device code lives): the form again. Posted from another site (Origin or Sec-Fetch-Site): a plain page, no form',
            content: {'text/html': {}},
          },
          429: {description: 'Too many failures from this address', content: {'text/html': {}}},
        },
      },
    },
    '/.well-known/oauth-authorization-server': {
      get: {
        summary: 'RFC 8414 authorization server metadata; issuer is the public URL, else the origin of the request',
        responses: {
          200: {
            description: 'No authorization endpoint, so response_types_supported is empty; public clients only (auth method none)',
            ...json({
              type: 'object',
              required: ['issuer', 'device_authorization_endpoint', 'token_endpoint', 'revocation_endpoint', 'grant_types_supported'],
              properties: {
                issuer: {type: 'string'},
                device_authorization_endpoint: {type: 'string'},
                token_endpoint: {type: 'string'},
                revocation_endpoint: {type: 'string'},
                grant_types_supported: {type: 'array', items: {type: 'string'}},
                response_types_supported: {type: 'array', items: {type: 'string'}},
                token_endpoint_auth_methods_supported: {type: 'array', items: {const: 'none'}},
                revocation_endpoint_auth_methods_supported: {type: 'array', items: {const: 'none'}},
              },
            }),
          },
        },
      },
    },
    '/api/v1/organizations/{slug}/token-policy': {
      get: {
        summary: "The organization's token policy (every member may read it)",
        description:
          'Rules for every PAT that can reach the organization: max_lifetime (expires_at − created_at within it; a token that never expires breaks any limit), allowed_scopes, require_org_restriction (the token must be restricted to this org). ' +
          'A token restricted to the org that breaks them is refused at create and rotate (403 policy_violation); an unrestricted one is created, but every request it makes to this org is refused with policy_violation. ' +
          'The policy is read with the organization on every request, so a change applies to the next request on every instance.',
        ...authenticated,
        parameters: [slugParameter],
        responses: {
          200: {description: 'The policy', ...json({$ref: '#/components/schemas/TokenPolicy'})},
          401: unauthorized,
          403: error('Restricted token, a token that breaks the policy, or not a member', ['org_restricted', 'policy_violation', 'not_a_member', 'ip_not_allowed']),
          404: error('No such organization', ['not_found']),
          429: throttled,
        },
      },
      patch: {
        summary: 'Change the token policy (superusers of the org, with effective RW); settings left out stay',
        ...authenticated,
        parameters: [slugParameter],
        requestBody: {required: true, ...json(updateTokenPolicyBodySchema)},
        responses: {
          200: {description: 'The policy now in force', ...json({$ref: '#/components/schemas/TokenPolicy'})},
          400: badInput,
          401: unauthorized,
          403: error('Not a superuser of the org, read-only token, restricted token, or not a member', ORG_WRITE_REFUSALS),
          404: error('No such organization', ['not_found']),
          429: throttled,
        },
      },
    },
    '/api/v1/auth/policy-check': {
      post: {
        summary: 'Which token policies a token would break, without creating it (session only); the body of a create, name optional',
        description:
          'The organizations the token would reach: its org, or every organization of the account when org is absent. allowed is true when it breaks none of their policies. ' +
          'The create response carries the same decision as policy_check.',
        ...authenticated,
        requestBody: {required: true, ...json(policyCheckBodySchema)},
        responses: {
          200: {description: 'The policies and the rules the token would break', ...json({$ref: '#/components/schemas/PolicyCheck'})},
          400: badInput,
          401: unauthorized,
          403: error('A PAT cannot create tokens, or the caller is not a member of org', ['pat_not_allowed', 'not_a_member']),
          404: error('org names no organization', ['not_found']),
          429: throttled,
        },
      },
    },
    '/healthz': {get: {summary: 'Liveness', responses: {200: {description: '{"status": "ok"}'}}}},
    '/readyz': {
      get: {
        summary: 'Readiness: the database answers',
        responses: {200: {description: '{"status": "ready"}'}, 503: error('The database is unreachable', ['not_ready'])},
      },
    },
  },
} as const
