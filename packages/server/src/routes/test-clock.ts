import type {FastifyInstance} from 'fastify'
import type {AdjustableClock} from '../clock.js'

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
          properties: {offset_seconds: {type: 'number', description: 'must be a number of seconds'}},
        },
      },
    },
    async (request, reply) => {
      clock.setOffsetSeconds(request.body.offset_seconds)
      return reply.code(204).send()
    },
  )
}
