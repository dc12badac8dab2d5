import type {FastifyInstance} from 'fastify'
import {MAX_LIFETIMES, tokenPolicySchema} from '@ndcli/core/contract'
import {authorizeOrganization, principalOf, visibleToCredential} from '../auth.js'
import type {AppContext} from '../context.js'
import type {Organization, Role} from '../db/index.js'
import {insufficientScope} from '../errors.js'
import {applyPolicyChange, policyView, policyViolations, traitsOf, violationMessage, type TokenPolicyChange} from '../policy.js'

const DESCRIPTION_MAX_LENGTH = 1000

export const updateOrganizationBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['description'],
  properties: {
    description: {
      type: ['string', 'null'],
      maxLength: DESCRIPTION_MAX_LENGTH,
      description: `must be a string of at most ${DESCRIPTION_MAX_LENGTH} characters, or null to clear it`,
    },
  },
} as const

const MAX_LIFETIME_CHOICES = [...MAX_LIFETIMES, 'none'] as const

export const updateTokenPolicyBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_lifetime: {
      type: ['string', 'null'],
      enum: [...MAX_LIFETIME_CHOICES, null],
      description: `must be one of: ${MAX_LIFETIME_CHOICES.join(', ')} (none or null: no limit)`,
    },
    allowed_scopes: {
      type: 'array',
      minItems: 1,
      maxItems: 2,
      uniqueItems: true,
      items: {type: 'string', pattern: '^([Rr][Ww]|[Rr][Oo])$', description: 'must be one of: RW, RO'},
      description: 'must be a non-empty list of distinct scopes: RW, RO',
    },
    require_org_restriction: {type: 'boolean', description: 'must be true or false'},
  },
} as const

const slugParams = {
  type: 'object',
  properties: {slug: {type: 'string', description: 'must be an organization slug'}},
} as const

function organizationItem(organization: Organization, role: Role) {
  return {
    slug: organization.slug,
    name: organization.name,
    description: organization.description,
    role,
    created_at: organization.createdAt,
  }
}

export function registerOrganizationRoutes(app: FastifyInstance, {store, auth}: AppContext): void {
  app.get('/api/v1/organizations', {onRequest: auth.anyCredential}, async (request) => {
    const {user, credential} = principalOf(request)
    const traits = credential.type === 'pat' ? traitsOf(credential.token) : undefined
    return (await store.listMemberships(user.id))
      .filter(({organization}) => visibleToCredential(credential, organization.id))
      .map(({organization, role}) => {
        // Listed all the same: the member should learn why this token is refused there, and how to get one that is not.
        const violations = traits ? policyViolations(organization, traits) : []
        return {...organizationItem(organization, role), unreachable_reason: violations.length > 0 ? violationMessage(violations) : null}
      })
  })

  app.get<{Params: {slug: string}}>(
    '/api/v1/organizations/:slug',
    {onRequest: auth.anyCredential, schema: {params: slugParams}},
    async (request) => {
      const {organization, role} = await authorizeOrganization(store, principalOf(request), request.params.slug, 'read')
      return organizationItem(organization, role)
    },
  )

  app.patch<{Params: {slug: string}; Body: {description: string | null}}>(
    '/api/v1/organizations/:slug',
    {onRequest: auth.anyCredential, schema: {params: slugParams, body: updateOrganizationBodySchema}},
    async (request) => {
      const {organization, role} = await authorizeOrganization(store, principalOf(request), request.params.slug, 'write')
      const {description} = request.body
      await store.updateOrganizationDescription(organization.id, description)
      return organizationItem({...organization, description}, role)
    },
  )

  app.get<{Params: {slug: string}}>(
    '/api/v1/organizations/:slug/token-policy',
    {onRequest: auth.anyCredential, schema: {params: slugParams, response: {200: tokenPolicySchema}}},
    async (request) => {
      const {organization} = await authorizeOrganization(store, principalOf(request), request.params.slug, 'read')
      return policyView(organization)
    },
  )

  app.patch<{Params: {slug: string}; Body: TokenPolicyChange}>(
    '/api/v1/organizations/:slug/token-policy',
    {onRequest: auth.anyCredential, schema: {params: slugParams, body: updateTokenPolicyBodySchema, response: {200: tokenPolicySchema}}},
    async (request) => {
      const {slug} = request.params
      const {organization, role} = await authorizeOrganization(store, principalOf(request), slug, 'write')
      if (role !== 'superuser') throw insufficientScope(`Only superusers of "${slug}" can change its token policy: ask one of them.`)
      const tokenPolicy = applyPolicyChange(organization.tokenPolicy, request.body)
      await store.updateOrganizationTokenPolicy(organization.id, tokenPolicy)
      return policyView({...organization, tokenPolicy})
    },
  )
}
