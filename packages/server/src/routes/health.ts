import type {FastifyInstance} from 'fastify'
import type {AppContext} from '../context.js'
import {ApiError} from '../errors.js'

export function registerHealthRoutes(app: FastifyInstance, {store}: AppContext): void {
  app.get('/healthz', async () => ({status: 'ok'}))

  app.get('/readyz', async (request) => {
    try {
      await store.ping()
    } catch (error) {
      request.log.warn({err: error}, 'database not reachable')
      throw new ApiError(503, 'not_ready', 'The database is not reachable; try again shortly.')
    }
    return {status: 'ready'}
  })
}
