/**
 * The API client against a scripted HTTP server on loopback: a real socket and
 * real got, with faults a real control plane cannot produce on demand.
 */
import {expect} from 'chai'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {ApiClient, type Credential} from '../src/api/client.js'
import {generatePat} from '../src/pat.js'

type Reply = (request: IncomingMessage, response: ServerResponse) => void

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (_request, response) => {
  response.writeHead(status, {'content-type': 'application/json', ...headers}).end(JSON.stringify(body))
}

describe('ApiClient', () => {
  let server: Server
  let replies: Reply[]
  let seen: Array<{method: string; url: string; headers: IncomingMessage['headers']; at: number}>
  let baseUrl: string

  before(async () => {
    server = createServer((request, response) => {
      seen.push({method: request.method!, url: request.url!, headers: request.headers, at: Date.now()})
      const reply = replies.shift() ?? json(500, {error: {code: 'internal_error', message: 'script exhausted'}})
      request.resume().on('end', () => reply(request, response))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  beforeEach(() => {
    replies = []
    seen = []
  })

  const pat = generatePat()
  function client(extra: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) {
    const credential: Credential = {kind: 'pat', token: pat}
    return new ApiClient({
      baseUrl,
      userAgent: 'ndcli/0.0.0 node/v20 linux',
      credentials: {current: async () => credential, missingMessage: 'Not authenticated.'},
      retryBaseDelay: 10,
      ...extra,
    })
  }

  it('sends the bearer credential and the User-Agent', async () => {
    replies.push(json(200, [{name: 'a'}]))
    expect(await client().get('/api/v1/auth/tokens')).to.deep.equal([{name: 'a'}])
    expect(seen[0]!.headers.authorization).to.equal(`Bearer ${pat}`)
    expect(seen[0]!.headers['user-agent']).to.equal('ndcli/0.0.0 node/v20 linux')
  })

  it('retries a GET on 503, then succeeds', async () => {
    replies.push(json(503, {error: {code: 'unavailable', message: 'busy'}}), json(200, {ok: true}))
    expect(await client().get('/x')).to.deep.equal({ok: true})
    expect(seen.map((r) => r.method)).to.deep.equal(['GET', 'GET'])
  })

  it('never retries a POST', async () => {
    replies.push(json(503, {error: {code: 'unavailable', message: 'busy'}}), json(201, {ok: true}))
    const error = await client().post('/x', {json: {}}).catch((error_: unknown) => error_ as {exitCode: number})
    expect(error).to.have.property('exitCode', 7)
    expect(seen).to.have.length(1)
  })

  it('does not retry other 4xx answers', async () => {
    replies.push(json(404, {error: {code: 'not_found', message: 'No token named "x".'}}))
    const error = await client().get('/x').catch((error_: unknown) => error_ as {exitCode: number; message: string; code: string})
    expect(error).to.include({exitCode: 5, code: 'not_found', message: 'No token named "x".'})
    expect(seen).to.have.length(1)
  })

  it('honours Retry-After on 429', async () => {
    replies.push(json(429, {error: {code: 'rate_limited', message: 'slow down'}}, {'retry-after': '1'}), json(200, {ok: true}))
    expect(await client().get('/x')).to.deep.equal({ok: true})
    expect(seen[1]!.at - seen[0]!.at).to.be.at.least(950)
  })

  it('gives up after the retry limit with exit 7', async () => {
    replies.push(...Array.from({length: 3}, () => json(502, {error: {code: 'bad_gateway', message: 'down'}})))
    const error = await client({retries: 2}).get('/x').catch((error_: unknown) => error_ as {exitCode: number})
    expect(error).to.have.property('exitCode', 7)
    expect(seen).to.have.length(3)
  })

  it('reports an HTML error page clearly', async () => {
    replies.push((_request, response) => response.writeHead(404, {'content-type': 'text/html'}).end('<html>nope</html>'))
    const error = await client().get<never>('/x').catch((error_: unknown) => error_ as Error)
    expect(error.message).to.match(/answered 404 Not Found to \/x without an API error: it is not an ndcli control plane\.$/)
    expect(error).to.have.property('exitCode', 7)
  })

  it('reports a malformed JSON body clearly', async () => {
    replies.push((_request, response) => response.writeHead(200, {'content-type': 'application/json'}).end('{"oops'))
    const error = await client().get<never>('/x').catch((error_: unknown) => error_ as Error)
    expect(error.message).to.match(/body that is not JSON/)
  })

  it('maps a refused connection to exit 7 naming the URL', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const error = await client({baseUrl: url, retries: 0}).get<never>('/x').catch((error_: unknown) => error_ as {exitCode: number; message: string})
    expect(error.exitCode).to.equal(7)
    expect(error.message).to.include(url).and.to.include('connection refused')
  })

  it('warns once when the PAT expires within 7 days', async () => {
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString()
    replies.push(json(200, {}, {'ndcli-token-expires-at': soon}), json(200, {}, {'ndcli-token-expires-at': soon}))
    const warnings: string[] = []
    const api = client({warn: (message) => warnings.push(message)})
    await api.get('/x')
    await api.get('/x')
    expect(warnings).to.have.length(1)
    expect(warnings[0]).to.match(/expires in 3 days, on \d{4}-\d\d-\d\d\. Rotate it with 'ndcli auth token rotate <name>'/)
  })

  it('does not warn when the PAT expires later', async () => {
    replies.push(json(200, {}, {'ndcli-token-expires-at': new Date(Date.now() + 30 * 86_400_000).toISOString()}))
    const warnings: string[] = []
    await client({warn: (message) => warnings.push(message)}).get('/x')
    expect(warnings).to.deep.equal([])
  })

  it('keeps every secret out of debug output', async () => {
    const created = generatePat()
    replies.push(json(201, {token: created, name: 'ci'}))
    replies.push(json(200, {access_token: 'sess-access-0123456789', refresh_token: 'sess-refresh-0123456789'}))
    const lines: string[] = []
    const api = client({debug: (line) => lines.push(line)})
    await api.post('/api/v1/auth/tokens', {json: {name: 'ci', scope: 'RW'}})
    api.addSecret('sess-refresh-0123456789')
    await api.post('/oauth/token', {authenticated: false, form: {grant_type: 'refresh_token', refresh_token: 'sess-refresh-0123456789'}})
    const output = lines.join('\n')
    expect(lines.length).to.be.greaterThan(3)
    expect(output).to.include('/api/v1/auth/tokens')
    for (const secret of [pat, created, 'sess-refresh-0123456789']) expect(output).not.to.include(secret)
    expect(output).to.include('[REDACTED]')
  })

  it('refreshes a session once after a 401 and retries the request', async () => {
    let refreshed = 0
    const api = new ApiClient({
      baseUrl,
      userAgent: 'ndcli/test',
      credentials: {
        current: async () => ({kind: 'session', token: 'old-access-token-xyz'}),
        refresh: async () => (refreshed++, {kind: 'session', token: 'new-access-token-xyz'}),
        missingMessage: 'Not authenticated.',
      },
    })
    replies.push(json(401, {error: {code: 'token_expired', message: 'Your session has expired.'}}), json(200, {ok: true}))
    expect(await api.get('/x')).to.deep.equal({ok: true})
    expect(refreshed).to.equal(1)
    expect(seen.map((r) => r.headers.authorization)).to.deep.equal(['Bearer old-access-token-xyz', 'Bearer new-access-token-xyz'])
  })

  it('fails with exit 3 and the login hint when no credential exists', async () => {
    const api = new ApiClient({baseUrl, userAgent: 'x', credentials: {current: async () => undefined, missingMessage: "Not authenticated. Run 'ndcli auth login', or set NDCLI_TOKEN."}})
    const error = await api.get<never>('/x').catch((error_: unknown) => error_ as {exitCode: number; message: string})
    expect(error.exitCode).to.equal(3)
    expect(error.message).to.match(/ndcli auth login/)
    expect(seen).to.have.length(0)
  })
})
