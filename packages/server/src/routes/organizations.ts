import type {FastifyInstance} from 'fastify'
import {authorizeOrganization, principalOf, visibleToCredential} from '../auth.js'
import type {AppContext} from '../context.js'
import type {Organization, Role} from '../db/index.js'

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
    return (await store.listMemberships(user.id))
      .filter(({organization}) => visibleToCredential(credential, organization.id))
      .map(({organization, role}) => organizationItem(organization, role))
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
}
