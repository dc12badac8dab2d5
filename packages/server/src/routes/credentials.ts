import type {FastifyInstance} from 'fastify'
import {PAT_LENGTH, validatePat} from '@ndcli/core/pat'
import type {AppContext} from '../context.js'
import {invalidInput, rateLimited} from '../errors.js'
import {secretDigest} from '../secrets.js'
import {SlidingWindowLimiter} from '../throttle.js'

export const revokeCredentialBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: {
    token: {
      type: 'string',
      maxLength: 256,
      description: `must be a personal access token: "ndpat_" and 43 base64url characters (${PAT_LENGTH} in all)`,
    },
  },
} as const

/**
 * Revocation by possession (a leaked value found in a log, a paste, a scanner's hit):
 * no credential, since whoever holds the secret may end it. The answer is 202 whether or
 * not the value named a token, so it reveals nothing; every request counts against the
 * caller's address (limits.credentialRevokeLimit per minute), so it is no guessing oracle
 * either way. A well-formed value only: the format is public (api.md), so saying it is
 * malformed reveals nothing about any token.
 */
export function registerCredentialRoutes(app: FastifyInstance, {store, clock, elapsed, limits}: AppContext): void {
  const requests = new SlidingWindowLimiter(limits.credentialRevokeLimit, elapsed)
  app.post<{Body: {token: string}}>(
    '/api/v1/credentials/revoke',
    {
      // Counted before the body is read, so malformed requests count too.
      onRequest: async (request) => {
        const retryAfter = requests.take(request.ip)
        if (retryAfter > 0) throw rateLimited(retryAfter, 'credential revocations')
      },
      schema: {body: revokeCredentialBodySchema},
    },
    async (request, reply) => {
      const format = validatePat(request.body.token)
      if (!format.valid) throw invalidInput(`token is not a well-formed personal access token: it ${format.reason}.`)
      const outcome = await store.revokeBySecret(secretDigest(request.body.token), clock().toISOString())
      // For operators only (never the value): what a presented secret did.
      request.log.info({outcome}, 'credential revocation by value')
      return reply.code(202).send()
    },
  )
}
