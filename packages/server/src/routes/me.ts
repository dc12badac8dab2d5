import type {FastifyInstance} from 'fastify'
import {principalOf, visibleToCredential, type Credential} from '../auth.js'
import type {AppContext} from '../context.js'

function describeCredential(credential: Credential) {
  if (credential.type === 'session') return {type: 'session'}
  const {token} = credential
  // validUntil: the previous secret of a rotation lapses at the end of its grace window, not at expires_at.
  return {type: 'pat', name: token.name, scope: token.scope, org: token.orgSlug, expires_at: credential.validUntil}
}

export function registerMeRoutes(app: FastifyInstance, {store, auth}: AppContext): void {
  app.get('/api/v1/auth/me', {onRequest: auth.anyCredential}, async (request) => {
    const {user, credential} = principalOf(request)
    const memberships = await store.listMemberships(user.id)
    return {
      email: user.email,
      name: user.name,
      organizations: memberships
        .filter(({organization}) => visibleToCredential(credential, organization.id))
        .map(({organization, role}) => ({slug: organization.slug, role})),
      credential: describeCredential(credential),
    }
  })
}
