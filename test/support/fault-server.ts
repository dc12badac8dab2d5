/**
 * A control plane that misbehaves on demand, for what a real server cannot be
 * made to do: answer 503 once, send an HTML error page or broken JSON, or
 * accept a connection and never answer. Each request takes the next scripted
 * reply (the last one repeats); the server records every request with its
 * arrival time so tests can count retries and measure the gaps between them.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

export type Reply =
  | {status: number; headers?: Record<string, string>; body?: string}
  /** Read the request, then never answer (the connection stays open until the server closes). */
  | 'hang'

export interface RecordedRequest {
  method: string
  path: string
  authorization?: string
  /** performance.now() at arrival, in ms. */
  at: number
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: {'content-type': 'application/json', ...headers},
  body: JSON.stringify(body),
})

export const apiError = (status: number, code: string, message: string, headers: Record<string, string> = {}): Reply =>
  json(status, {error: {code, message}}, headers)

export interface FaultServer {
  url: string
  requests: RecordedRequest[]
  /** Replaces the script: request n gets replies[n], later ones the last reply. */
  script(...replies: Reply[]): void
  /** Faults (non-2xx replies and hangs) served since the server started. */
  faultsInjected(): number
  close(): Promise<void>
}

export async function startFaultServer(): Promise<FaultServer> {
  let replies: Reply[] = []
  let served = 0
  let faults = 0
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    requests.push({method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization, at: performance.now()})
    const reply = replies[Math.min(served, replies.length - 1)] ?? {status: 500, body: 'fault server: no reply scripted'}
    served++
    request.resume()
    request.on('end', () => {
      if (reply === 'hang' || reply.status >= 300) faults++
      if (reply === 'hang') return
      response.writeHead(reply.status, reply.headers)
      response.end(reply.body ?? '')
    })
  }

  const server: Server = createServer(handle)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(...next) {
      replies = next
      served = 0
      requests.length = 0
    },
    faultsInjected: () => faults,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
