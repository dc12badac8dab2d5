import type {AddressInfo} from 'node:net'
import type {FastifyInstance} from 'fastify'
import {createApp, type AppOptions} from './app.js'
import {DEFAULT_HOST, DEFAULT_PORT} from './config.js'

export interface StartServerOptions extends AppOptions {
  host?: string
  /** 0 picks a free port. */
  port?: number
}

export interface RunningServer {
  app: FastifyInstance
  /** e.g. http://127.0.0.1:4680 */
  url: string
  /** Stops accepting connections and waits for requests in flight; the store stays open (its opener closes it). */
  close(): Promise<void>
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const app = createApp(options)
  await app.listen({host: options.host ?? DEFAULT_HOST, port: options.port ?? DEFAULT_PORT})
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {app, url: `http://${host}:${address.port}`, close: () => app.close()}
}
