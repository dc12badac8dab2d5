/**
 * A scripted OAuth endpoint on loopback, for answers a real server gives only on demand
 * (slow_down, a refresh token another process rotated a moment earlier, a dropped connection):
 * each request takes the next answer of the script and is recorded, form and credential included.
 */
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {ApiClient} from '../src/api/client.js'

/** status 0: the connection drops without an answer. */
export interface ScriptedAnswer {
  status: number
  body: unknown
}

export interface SeenRequest {
  path: string
  authorization?: string
  form: URLSearchParams
}

export interface ScriptedEndpoint {
  /** Answers still to give, in order; once empty, every request is a 500 script_exhausted. */
  answers: ScriptedAnswer[]
  requests: SeenRequest[]
  /** A client of the endpoint that never retries on its own. */
  api: ApiClient
  /** Empties the script and the record (between tests). */
  reset(): void
  close(): Promise<void>
}

export async function scriptedEndpoint(): Promise<ScriptedEndpoint> {
  const endpoint = {answers: [] as ScriptedAnswer[], requests: [] as SeenRequest[]}
  const server = createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
    request.on('end', () => {
      endpoint.requests.push({path: request.url!, authorization: request.headers.authorization, form: new URLSearchParams(body)})
      const answer = endpoint.answers.shift() ?? {status: 500, body: {error: {code: 'script_exhausted', message: 'no more answers'}}}
      if (answer.status === 0) return void request.socket.destroy()
      response.writeHead(answer.status, {'content-type': 'application/json'}).end(JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(endpoint, {
    api: new ApiClient({baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, userAgent: 'test', retries: 0}),
    reset() {
      endpoint.answers.length = 0
      endpoint.requests.length = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}
