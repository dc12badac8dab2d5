import {generatePat} from '@ndcli/core/pat'
import {expect} from 'chai'
import {backends, expectError, request, seedUser, signIn, startTestServer, submitActivate, type TestServer} from './helpers.js'

backends('HTTP behaviour common to every endpoint', (backend) => {
  let server: TestServer
  let session: string

  before(async () => {
    server = await startTestServer(backend, {bodyLimitBytes: 1024})
    session = (await signIn(server, await seedUser(server))).access_token
  })
  after(() => server.close())

  const raw = (path: string, body: string, contentType: string) =>
    request(server, 'POST', path, {token: session, body, headers: {'content-type': contentType}})

  const envelopeCases: Array<[string, () => ReturnType<typeof request>, number, string]> = [
    ['an unknown route', () => request(server, 'GET', '/api/v1/nothing'), 404, 'not_found'],
    ['an unknown method on a known path', () => request(server, 'PUT', '/api/v1/auth/tokens', {token: session}), 404, 'not_found'],
    ['an oversized body', () => raw('/api/v1/auth/tokens', JSON.stringify({name: 'x'.repeat(2000)}), 'application/json'), 413, 'payload_too_large'],
    ['a form body on the JSON API', () => raw('/api/v1/auth/tokens', 'name=a&scope=RW', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type'],
    ['a text body', () => raw('/api/v1/auth/tokens', 'hello', 'text/plain'), 415, 'unsupported_media_type'],
    ['malformed JSON', () => raw('/api/v1/auth/tokens', '{"name": "a",', 'application/json'), 400, 'invalid_input'],
    ['a repeated JSON key', () => raw('/api/v1/auth/tokens', '{"name":"a","scope":"RO","scope":"RW"}', 'application/json'), 400, 'invalid_input'],
    ['a missing body', () => request(server, 'POST', '/api/v1/auth/tokens', {token: session}), 400, 'invalid_input'],
    ['a malformed URL', () => request(server, 'GET', '/api/v1/organizations/%E0%A4%A'), 400, 'invalid_input'],
  ]
  for (const [label, send, status, code] of envelopeCases) {
    it(`${label} → ${status} ${code} in the JSON envelope`, async () => {
      expectError(await send(), status, code)
    })
  }

  it('names the repeated key', async () => {
    const response = await raw('/api/v1/auth/tokens', '{"name":"a","scope":"RO","scope":"RW"}', 'application/json')
    expect(response.body.error.message).to.equal('The request body repeats the key "scope".')
  })

  it('sends security headers and a request id on every response, errors included', async () => {
    for (const path of ['/healthz', '/api/v1/nothing', '/activate']) {
      const response = await request(server, 'GET', path)
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff')
      expect(response.headers.get('x-frame-options')).to.equal('DENY')
      expect(response.headers.get('cache-control')).to.equal('no-store')
      expect(response.headers.get('referrer-policy')).to.equal('no-referrer')
      expect(response.headers.get('content-security-policy')).to.include("frame-ancestors 'none'")
      expect(response.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/)
    }
  })

  it("keeps a well-formed client X-Request-Id, replaces a hostile one", async () => {
    expect((await request(server, 'GET', '/healthz', {headers: {'x-request-id': 'ci-run-42'}})).headers.get('x-request-id')).to.equal('ci-run-42')
    expect((await request(server, 'GET', '/healthz', {headers: {'x-request-id': 'a b\tc'}})).headers.get('x-request-id')).to.not.equal('a b\tc')
  })

  it('serves the OpenAPI document', async () => {
    const response = await request(server, 'GET', '/api/v1/openapi.json')
    expect(response.status).to.equal(200)
    expect(response.body.openapi).to.equal('3.1.0')
    expect(Object.keys(response.body.paths)).to.include.members(['/api/v1/auth/tokens', '/api/v1/auth/tokens/{name}', '/oauth/token', '/activate'])
  })

  it('answers /healthz and /readyz', async () => {
    expect((await request(server, 'GET', '/healthz')).body).to.deep.equal({status: 'ok'})
    expect((await request(server, 'GET', '/readyz')).body).to.deep.equal({status: 'ready'})
  })

  const authCases: Array<[string, Record<string, string>, string]> = [
    ['no Authorization header', {}, 'unauthenticated'],
    ['a non-Bearer scheme', {authorization: 'Basic dXNlcjpwdw=='}, 'invalid_token'],
    ['a truncated PAT', {authorization: 'Bearer ndpat_abc'}, 'invalid_token'],
    ['a well-formed but unknown PAT', {authorization: `Bearer ndpat_${'A'.repeat(37)}q0ZwnA`}, 'invalid_token'],
    ['an unknown session token', {authorization: 'Bearer ndat_unknown'}, 'invalid_token'],
  ]
  for (const [label, headers, code] of authCases) {
    it(`${label} → 401 ${code}`, async () => {
      expectError(await request(server, 'GET', '/api/v1/auth/tokens', {headers}), 401, code)
    })
  }

  it('says what is wrong with a malformed PAT without echoing it', async () => {
    const response = await request(server, 'GET', '/api/v1/auth/me', {token: 'ndpat_abcdef'})
    expect(response.body.error.message).to.equal('The personal access token is malformed: it looks truncated: 6 of 43 characters after "ndpat_".')
  })

  it('says a mistyped PAT has a checksum that does not match, in a sentence', async () => {
    const mistyped = generatePat().replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'))
    const response = await request(server, 'GET', '/api/v1/auth/me', {token: mistyped})
    expect(response.body.error.message).to.equal(
      'The personal access token is malformed: it has a checksum that does not match: the token is mistyped or damaged.',
    )
  })
})

backends('throttling of failed authentications', (backend) => {
  let server: TestServer
  let email: string

  beforeEach(async () => {
    server = await startTestServer(backend, {authFailureLimit: 3})
    email = await seedUser(server)
  })
  afterEach(() => server.close())

  it('after the limit of failures in a minute: 429 rate_limited with Retry-After for further failures, a valid credential is served', async () => {
    const session = (await signIn(server, email)).access_token
    for (let i = 0; i < 3; i++) expectError(await request(server, 'GET', '/api/v1/auth/me', {token: `ndat_wrong${i}`}), 401, 'invalid_token')
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: session})).status).to.equal(200)
    const limited = await request(server, 'GET', '/api/v1/auth/me', {token: 'ndat_wrong'})
    expectError(limited, 429, 'rate_limited')
    expect(limited.headers.get('retry-after')).to.equal('60')
    server.clock.setOffsetSeconds(61)
    expectError(await request(server, 'GET', '/api/v1/auth/me', {token: 'ndat_wrong'}), 401, 'invalid_token')
  })

  it('missing credentials do not count', async () => {
    for (let i = 0; i < 5; i++) expectError(await request(server, 'GET', '/api/v1/auth/me'), 401, 'unauthenticated')
  })

  it('wrong passwords on /activate count, and the page then answers 429', async () => {
    const {user_code} = (await request(server, 'POST', '/oauth/device/code', {form: {client_id: 'ndcli'}})).body
    for (let i = 0; i < 3; i++) expect((await submitActivate(server, {userCode: user_code, email, password: 'guess'})).status).to.equal(401)
    const limited = await submitActivate(server, {userCode: user_code, email})
    expect(limited.status).to.equal(429)
    expect(limited.headers.get('retry-after')).to.match(/^\d+$/)
  })
})

backends('unexpected failures', (backend) => {
  it('are a 500 internal_error envelope (and /readyz 503) when the database is gone, logged with the request id', async () => {
    const server = await startTestServer(backend)
    try {
      await server.store.close()
      expectError(await request(server, 'GET', '/api/v1/auth/me', {token: 'ndat_x', headers: {'x-request-id': 'gone-1'}}), 500, 'internal_error')
      expectError(await request(server, 'GET', '/readyz', {headers: {'x-request-id': 'gone-2'}}), 503, 'not_ready')
      // Written through the request's own logger (made on first use): bound to the request's id.
      const lines = server.logs.map((line) => JSON.parse(line) as {reqId?: string; level: number; msg: string})
      expect(lines.find((line) => line.reqId === 'gone-1' && line.msg === 'request failed')).to.include({level: 50})
      expect(lines.find((line) => line.reqId === 'gone-2' && line.msg === 'database not reachable')).to.include({level: 40})
    } finally {
      await server.close().catch(() => {})
    }
  })
})
