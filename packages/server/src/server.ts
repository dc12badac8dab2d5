import {BlockList, type AddressInfo} from 'node:net'
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
  if (!options.publicUrl && options.trustProxy === undefined && !isLoopback(address.address)) {
    app.log.warn(
      {address: address.address},
      'listening on a non-loopback address without --public-url or --trust-proxy: sign-in links (verification_uri) and the issuer are taken from each request\'s Host header, which a client chooses; set --public-url',
    )
  }
  return {app, url: `http://${host}:${address.port}`, close: () => app.close()}
}

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

function isLoopback(address: string): boolean {
  if (address.startsWith('::ffff:')) return LOOPBACK.check(address.slice(7), 'ipv4')
  return LOOPBACK.check(address, address.includes(':') ? 'ipv6' : 'ipv4')
}
