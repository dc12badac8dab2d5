import type {FastifyInstance} from 'fastify'
import type {AdjustableClock} from '../clock.js'

/**
 * 100 years either way: every time the server writes stays an ISO-8601 text with a 4-digit year,
 * which the schema compares as text. (1e300 seconds made every later request a 500.)
 */
export const MAX_OFFSET_SECONDS = 100 * 365 * 86_400

/** Test only (NDCLI_SERVER_TEST_CLOCK=1): lets tests of the whole system move the server's time. */
export function registerTestClockRoute(app: FastifyInstance, clock: AdjustableClock): void {
  app.put<{Body: {offset_seconds: number}}>(
    '/__test/clock',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['offset_seconds'],
          properties: {
            offset_seconds: {
              type: 'number',
              minimum: -MAX_OFFSET_SECONDS,
              maximum: MAX_OFFSET_SECONDS,
              description: `must be a number of seconds from -${MAX_OFFSET_SECONDS} to ${MAX_OFFSET_SECONDS} (100 years)`,
            },
          },
        },
      },
    },
    async (request, reply) => {
      clock.setOffsetSeconds(request.body.offset_seconds)
      return reply.code(204).send()
    },
  )
}
