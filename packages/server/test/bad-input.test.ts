import {connect} from 'node:net'
import {expect} from 'chai'
import {backends, createPat, expectError, request, seedUser, signIn, startTestServer, type TestServer} from './helpers.js'

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * Sends bytes exactly as given (fetch would normalise `..` and `%2e%2e` in paths, refuse
 * oversized or non-ASCII headers and fix up framing) and reads the response until the
 * server closes the connection.
 */
function rawHttp(url: string, bytes: Buffer): Promise<RawResponse> {
  const {hostname, port} = new URL(url)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    // Not end(): a half-closed connection may be dropped before an asynchronous handler answers.
    // Every request says `connection: close`, so the server closes once it has answered.
    const socket = connect(Number(port), hostname, () => socket.write(bytes))
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')))
    socket.on('data', (chunk) => chunks.push(chunk))
    // The server may answer and close before reading everything we sent (431, 413): keep what arrived.
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)))
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const split = text.indexOf('\r\n\r\n')
      if (split < 0) return reject(new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`))
      const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n')
      const headers = Object.fromEntries(
        headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      )
      let body = text.slice(split + 4)
      if (headers['transfer-encoding'] === 'chunked') body = dechunk(body)
      resolve({status: Number(statusLine!.split(' ')[1]), headers, body})
    })
  })
}

function dechunk(body: string): string {
  let out = ''
  for (let rest = body; ; ) {
    const end = rest.indexOf('\r\n')
    const size = parseInt(rest.slice(0, end), 16)
    if (!size) return out
    out += rest.slice(end + 2, end + 2 + size)
    rest = rest.slice(end + 4 + size)
  }
}

interface RawRequest {
  method: string
  /** Sent verbatim in the request line. */
  path: string
  headers?: Record<string, string>
  /** Extra header lines, verbatim (for bytes and shapes a header object cannot hold). */
  rawHeaders?: string[]
  body?: string | Buffer
  /** Send the session token (default true). */
  auth?: boolean
}

function encode(host: string, session: string, spec: RawRequest): Buffer {
  const body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : (spec.body ?? Buffer.alloc(0))
  const headers: Record<string, string> = {
    host,
    connection: 'close',
    ...(spec.auth === false ? {} : {authorization: `Bearer ${session}`}),
    ...(spec.body === undefined ? {} : {'content-length': String(body.length)}),
    ...spec.headers,
  }
  const head = [
    `${spec.method} ${spec.path} HTTP/1.1`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ...(spec.rawHeaders ?? []),
  ].join('\r\n')
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body])
}

type Expected = readonly [status: number, code: string]

interface Case {
  label: string
  request: RawRequest
  expect: Expected
}

const JSON_TYPE = {'content-type': 'application/json'}
const json = (method: string, path: string, body: string | Buffer, extra: Partial<RawRequest> = {}): RawRequest => ({
  method,
  path,
  headers: JSON_TYPE,
  body,
  ...extra,
})
const createToken = (body: string | Buffer) => json('POST', '/api/v1/auth/tokens', body)
const patchOrg = (body: string | Buffer) => json('PATCH', '/api/v1/organizations/ops', body)
const form = (path: string, fields: Record<string, string>): RawRequest => ({
  method: 'POST',
  path,
  headers: {'content-type': 'application/x-www-form-urlencoded'},
  body: new URLSearchParams(fields).toString(),
  auth: false,
})

const INVALID: Expected = [400, 'invalid_input']
const NOT_FOUND: Expected = [404, 'not_found']
const UNSUPPORTED: Expected = [415, 'unsupported_media_type']
const TOO_LARGE: Expected = [413, 'payload_too_large']
const INVALID_TOKEN: Expected = [401, 'invalid_token']

const SQL_META = [`'; DROP TABLE personal_access_tokens; --`, `" OR 1=1`, `' OR '1'='1`, `1; DELETE FROM users`, `\\'; --`]
const TRAVERSAL = [
  '..%2F..%2Fetc',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc',
  '..',
  '%00',
  'ci%00.txt',
  '%2F',
  '%5C..%5C..%5Cwindows',
  '%25%32%65%25%32%65',
  encodeURIComponent('../'.repeat(20) + 'etc/passwd'),
  'a'.repeat(64),
  'a'.repeat(101),
  'a'.repeat(4000),
  encodeURIComponent('é'.repeat(30)),
  '%F0%9F%92%A9',
]

function cases(): Case[] {
  const list: Case[] = []
  const add = (label: string, request: RawRequest, expected: Expected) => list.push({label, request, expect: expected})

  // Oversized bodies (limit 16 KiB), on the JSON API and the form endpoints.
  add('a 17 KiB JSON body', createToken(JSON.stringify({name: 'x', scope: 'RW', org: 'o'.repeat(17 * 1024)})), TOO_LARGE)
  add('a 1 MiB JSON body', patchOrg(JSON.stringify({description: 'd'.repeat(1024 * 1024)})), TOO_LARGE)
  add('a 17 KiB form body on /oauth/token', form('/oauth/token', {grant_type: 'refresh_token', refresh_token: 'r'.repeat(17 * 1024)}), TOO_LARGE)
  add('a description over 1000 characters', patchOrg(JSON.stringify({description: 'd'.repeat(1001)})), INVALID)

  // Wrong content types.
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx', 'text/json']) {
    add(`Content-Type ${type} on the JSON API`, {...createToken('{"name":"ci","scope":"RW"}'), headers: {'content-type': type}}, UNSUPPORTED)
  }
  add('a body without Content-Type', {method: 'POST', path: '/api/v1/auth/tokens', body: '{"name":"ci","scope":"RW"}'}, UNSUPPORTED)
  add('text/plain on /oauth/token', {...form('/oauth/token', {}), headers: {'content-type': 'text/plain'}}, UNSUPPORTED)

  // Invalid JSON.
  for (const body of ['{', '{"name": }', 'nul', '{"name":"ci","scope":"RW",}', "{'name':'ci'}", '{"scope": NaN}', '{"a":1}{"b":2}', '\u0000', '[' .repeat(8000)]) {
    add(`invalid JSON ${JSON.stringify(body.slice(0, 24))}`, createToken(body), INVALID)
  }

  // Unknown fields, repeated keys.
  add('an unknown field on create', createToken('{"name":"ci","scope":"RW","admin":true}'), INVALID)
  add('an unknown field on PATCH', patchOrg('{"description":"d","slug":"other"}'), INVALID)
  add('__proto__ as a field', createToken('{"name":"ci","scope":"RW","__proto__":{"admin":true}}'), INVALID)
  add('a repeated key on create', createToken('{"name":"a","scope":"RO","scope":"RW"}'), INVALID)
  add('a repeated key on PATCH', patchOrg('{"description":"a","description":"b"}'), INVALID)
  add('a key repeated through an escape', createToken('{"name":"a","scope":"RW","\\u006eame":"b"}'), INVALID)

  // Empty bodies with a JSON content type; arrays, scalars and null instead of objects.
  add('an empty body on create', createToken(''), INVALID)
  add('an empty body on PATCH', patchOrg(''), INVALID)
  add('whitespace only', createToken('   \n'), INVALID)
  for (const body of ['[]', '[{"name":"ci","scope":"RW"}]', 'null', '"ci"', '42', 'true']) {
    add(`the JSON ${body} instead of an object on create`, createToken(body), INVALID)
    add(`the JSON ${body} instead of an object on PATCH`, patchOrg(body), INVALID)
  }

  // Numbers, booleans, objects where strings are expected.
  for (const [field, value] of [['name', 42], ['name', true], ['name', {}], ['scope', 1], ['scope', ['RW']], ['org', 5], ['org', false], ['expires_in', 30], ['expires_in', null]] as const) {
    add(`${field}: ${JSON.stringify(value)} on create`, createToken(JSON.stringify({name: 'ci', scope: 'RW', [field]: value})), INVALID)
  }
  add('description: 42 on PATCH', patchOrg('{"description":42}'), INVALID)
  add('description: {} on PATCH', patchOrg('{"description":{}}'), INVALID)

  // Non-UTF-8 bytes.
  const latin1 = (text: string) => Buffer.from(text, 'latin1')
  add('a Latin-1 byte in a JSON string', createToken(latin1('{"name":"caf\xe9","scope":"RW"}')), INVALID)
  add('an overlong UTF-8 sequence', patchOrg(Buffer.concat([latin1('{"description":"'), Buffer.from([0xc0, 0xaf]), latin1('"}')])), INVALID)
  add('a lone surrogate encoded as UTF-8', patchOrg(Buffer.concat([latin1('{"description":"'), Buffer.from([0xed, 0xa0, 0x80]), latin1('"}')])), INVALID)
  add('a UTF-16 body', createToken(Buffer.from('\ufeff{"name":"ci","scope":"RW"}', 'utf16le')), INVALID)
  add('a non-UTF-8 byte in the Authorization header', {method: 'GET', path: '/api/v1/auth/me', auth: false, rawHeaders: ['authorization: Bearer ndat_\xff\xfe']}, INVALID_TOKEN)
  add('a path that percent-decodes to non-UTF-8 bytes', {method: 'GET', path: '/api/v1/organizations/%FF%FE'}, INVALID)
  add('a malformed percent-encoding in the path', {method: 'GET', path: '/api/v1/organizations/%E0%A4%A'}, INVALID)
  add('NUL (U+0000) in a description', patchOrg('{"description":"a\\u0000b"}'), INVALID)
  add('NUL (U+0000) in the org of a new token', createToken('{"name":"ci","scope":"RW","org":"o\\u0000ps"}'), NOT_FOUND)

  // Lone UTF-16 surrogates (only a \u escape can carry one): SQLite and PostgreSQL would store different replacements.
  add('a lone high surrogate in a description', patchOrg('{"description":"a\\ud800b"}'), INVALID)
  add('a lone low surrogate ending a description', patchOrg('{"description":"a\\udfff"}'), INVALID)
  add('two high surrogates in a row', patchOrg('{"description":"\\ud83d\\ud83d"}'), INVALID)
  add('a lone surrogate in a token name', createToken('{"name":"ci\\ud800","scope":"RW"}'), INVALID)
  add('a lone surrogate in the org of a new token', createToken('{"name":"ci","scope":"RW","org":"\\udc00"}'), INVALID)
  add('a lone surrogate in expires_in', createToken('{"name":"ci","scope":"RW","expires_in":"\\ud800"}'), INVALID)
  add('a lone surrogate in a key', createToken('{"name":"ci","scope":"RW","\\ud800":1}'), INVALID)
  add('a lone surrogate in a nested value', createToken('{"name":"ci","scope":["\\ud800"]}'), INVALID)
  add('a lone surrogate in a JSON body on /oauth/token', {...form('/oauth/token', {}), headers: JSON_TYPE, body: '{"grant_type":"refresh_token","refresh_token":"ndrt_\\ud800"}'}, [400, 'invalid_request'])

  // JSON in another charset than UTF-8: 415, not bytes misread.
  for (const type of ['application/json; charset=iso-8859-1', 'application/json; charset=utf-16', 'application/json;charset="latin1"', 'application/json; charset=ascii']) {
    add(`Content-Type ${type} on the JSON API`, {...createToken('{"name":"ci","scope":"RW"}'), headers: {'content-type': type}}, UNSUPPORTED)
  }
  add('JSON with charset=utf-16 on /oauth/token', {...form('/oauth/token', {}), headers: {'content-type': 'application/json; charset=utf-16'}, body: '{"grant_type":"refresh_token"}'}, UNSUPPORTED)

  // Token names: no leading or trailing whitespace.
  for (const name of ['ci ', ' ci', 'ci\t', 'my laptop  ']) add(`token name ${JSON.stringify(name)}`, createToken(JSON.stringify({name, scope: 'RW'})), INVALID)

  // Path traversal and odd names in the token and organization paths.
  for (const name of TRAVERSAL) {
    const shown = name.length > 40 ? `${name.slice(0, 20)}… (${name.length} characters)` : name
    add(`DELETE /api/v1/auth/tokens/${shown}`, {method: 'DELETE', path: `/api/v1/auth/tokens/${name}`}, NOT_FOUND)
    add(`GET /api/v1/organizations/${shown}`, {method: 'GET', path: `/api/v1/organizations/${name}`}, NOT_FOUND)
  }
  add('a raw ../ in the request line', {method: 'DELETE', path: '/api/v1/auth/tokens/../../../etc/passwd'}, NOT_FOUND)
  add('a raw /./ in the request line', {method: 'GET', path: '/api/v1/./auth/./tokens/./x'}, NOT_FOUND)

  // SQL meta-characters in every string field: refused by the field's rules, or stored verbatim (description).
  for (const text of SQL_META) {
    const q = JSON.stringify
    add(`name ${q(text)}`, createToken(q({name: text, scope: 'RW'})), INVALID)
    add(`scope ${q(text)}`, createToken(q({name: 'ci', scope: text})), INVALID)
    add(`org ${q(text)}`, createToken(q({name: 'ci', scope: 'RW', org: text})), NOT_FOUND)
    add(`expires_in ${q(text)}`, createToken(q({name: 'ci', scope: 'RW', expires_in: text})), INVALID)
    add(`a token path of ${q(text)}`, {method: 'DELETE', path: `/api/v1/auth/tokens/${encodeURIComponent(text)}`}, NOT_FOUND)
    add(`an organization path of ${q(text)}`, {method: 'GET', path: `/api/v1/organizations/${encodeURIComponent(text)}`}, NOT_FOUND)
    add(`a bearer token of ${q(text)}`, {method: 'GET', path: '/api/v1/auth/me', auth: false, headers: {authorization: `Bearer ${text.replace(/ /g, '')}`}}, INVALID_TOKEN)
    add(`a device_code of ${q(text)}`, form('/oauth/token', {grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: text, client_id: 'ndcli'}), [400, 'invalid_grant'])
    add(`a refresh_token of ${q(text)}`, form('/oauth/token', {grant_type: 'refresh_token', refresh_token: text}), [400, 'invalid_grant'])
    add(`a client_id of ${q(text)}`, form('/oauth/device/code', {client_id: text}), [400, 'invalid_client'])
    add(`a grant_type of ${q(text)}`, form('/oauth/token', {grant_type: text}), [400, 'unsupported_grant_type'])
  }

  // What Node's HTTP parser refuses before Fastify routes anything: answered by the clientErrorHandler.
  add('a 64 KiB header', {method: 'GET', path: '/api/v1/auth/tokens', headers: {'x-padding': 'p'.repeat(64 * 1024)}}, [431, 'headers_too_large'])
  add('a 64 KiB Authorization header', {method: 'GET', path: '/api/v1/auth/me', auth: false, headers: {authorization: `Bearer ${'a'.repeat(64 * 1024)}`}}, [431, 'headers_too_large'])
  add('2000 small headers', {method: 'GET', path: '/healthz', rawHeaders: Array.from({length: 2000}, (_, i) => `x-h${i}: ${'v'.repeat(10)}`)}, [431, 'headers_too_large'])
  add('a control character in a header value', {method: 'GET', path: '/healthz', rawHeaders: ['x-bad: a\x01b']}, INVALID)
  add('a header without a colon', {method: 'GET', path: '/healthz', rawHeaders: ['not a header']}, INVALID)
  add('both Content-Length and Transfer-Encoding', {...createToken('{}'), headers: {...JSON_TYPE, 'transfer-encoding': 'chunked'}}, INVALID)
  add('an unknown HTTP method', {method: 'BREW', path: '/api/v1/auth/tokens'}, INVALID)
  add('a space in the path', {method: 'GET', path: '/api/v1/auth/tok ens'}, INVALID)
  return list
}

backends('bad input over real HTTP: always the 4xx envelope, never a 500', (backend) => {
  let server: TestServer
  let session: string
  let pat: string
  const table = cases()

  before(async () => {
    // Many cases are refused credentials: lift the failed-authentication throttle so each case gets its own answer.
    server = await startTestServer(backend, {authFailureLimit: 1_000_000})
    session = (await signIn(server, await seedUser(server, {ops: 'superuser'}))).access_token
    pat = await createPat(server, session, {name: 'survivor', scope: 'RW'})
  })
  after(async () => {
    console.log(`      [${backend}] bad-input suite: ${table.length} cases`)
    await server.close()
  })

  for (const {label, request: spec, expect: [status, code]} of table) {
    it(`${label} → ${status} ${code}`, async () => {
      const response = await rawHttp(server.url, encode(new URL(server.url).host, session, spec))
      expect(response.headers['content-type'], response.body.slice(0, 300)).to.match(/^application\/json/)
      if (spec.path.startsWith('/oauth/')) {
        // RFC 6749 §5.2 there; the API's own codes for 413 and 415 become invalid_request.
        const body = JSON.parse(response.body) as {error?: unknown; error_description?: unknown}
        expect(Object.keys(body).sort()).to.deep.equal(['error', 'error_description'])
        expect(body.error, response.body.slice(0, 300)).to.equal(status === 413 || status === 415 ? 'invalid_request' : code)
        expect(body.error_description).to.be.a('string').and.not.equal('')
      } else {
        const body = JSON.parse(response.body) as {error?: {code?: unknown; message?: unknown}}
        expect(Object.keys(body)).to.deep.equal(['error'])
        expect(body.error?.code, response.body.slice(0, 300)).to.equal(code)
        expect(body.error?.message).to.be.a('string').and.not.equal('')
      }
      expect(response.status).to.equal(status)
      expect(response.headers['x-content-type-options']).to.equal('nosniff')
    })
  }

  it('stores a surrogate pair (an emoji) the same on both back ends, and nothing of a refused lone surrogate', async () => {
    const patched = await request(server, 'PATCH', '/api/v1/organizations/ops', {token: session, body: '{"description":"deploys \\ud83d\\udca9"}', headers: JSON_TYPE})
    expect(patched.status, patched.text).to.equal(200)
    expect((await request(server, 'GET', '/api/v1/organizations/ops', {token: pat})).body.description).to.equal('deploys \u{1F4A9}')
    const refused = await request(server, 'PATCH', '/api/v1/organizations/ops', {token: session, body: '{"description":"x\\ud800"}', headers: JSON_TYPE})
    expectError(refused, 400, 'invalid_input')
    expect(refused.body.error.message).to.include('lone UTF-16 surrogate')
    expect((await request(server, 'GET', '/api/v1/organizations/ops', {token: pat})).body.description).to.equal('deploys \u{1F4A9}')
  })

  it('stores SQL meta-characters verbatim where text is allowed (description)', async () => {
    for (const text of SQL_META) {
      const patched = await request(server, 'PATCH', '/api/v1/organizations/ops', {token: session, json: {description: text}})
      expect(patched.status, patched.text).to.equal(200)
      expect((await request(server, 'GET', '/api/v1/organizations/ops', {token: pat})).body.description).to.equal(text)
    }
  })

  it('still serves afterwards: healthz, readyz, a real list, and no request ended in a 500', async () => {
    expect((await request(server, 'GET', '/healthz')).status).to.equal(200)
    expect((await request(server, 'GET', '/readyz')).status).to.equal(200)
    const list = await request(server, 'GET', '/api/v1/auth/tokens', {token: pat})
    expect(list.status).to.equal(200)
    expect(list.body.map((item: {name: string}) => item.name)).to.deep.equal(['survivor'])
    expect(server.logs.filter((line) => line.includes('"level":50'))).to.deep.equal([])
  })
})
