import {request as httpRequest} from 'node:http'
import {expect} from 'chai'
import {backends, createPat, request, seedUser, signIn, startTestServer, type TestServer} from './helpers.js'

/** An HTTP request with headers fetch() will not send as given (Host), over the loopback socket. */
function rawRequest(
  server: TestServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{status: number; headers: Record<string, string | string[] | undefined>; body: any}> { // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  const url = new URL(server.url)
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({host: url.hostname, port: url.port, method, path, headers}, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      response.on('end', () => {
        const isJson = String(response.headers['content-type']).startsWith('application/json')
        resolve({status: response.statusCode!, headers: response.headers, body: isJson && text ? JSON.parse(text) : text})
      })
    })
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

const FORM = {'content-type': 'application/x-www-form-urlencoded'}
const deviceCode = (server: TestServer, headers: Record<string, string>) =>
  rawRequest(server, 'POST', '/oauth/device/code', {...FORM, ...headers}, 'client_id=ndcli')
const metadata = (server: TestServer, headers: Record<string, string>) => rawRequest(server, 'GET', '/.well-known/oauth-authorization-server', headers)

/** The address recorded for a PAT's last use: what the server took as the client's address. */
async function addressSeenFor(server: TestServer, headers: Record<string, string>): Promise<string> {
  const email = await seedUser(server)
  const session = (await signIn(server, email)).access_token
  const pat = await createPat(server, session, {name: 'seen-from', scope: 'RO'})
  expect((await request(server, 'GET', '/api/v1/auth/me', {token: pat, headers})).status).to.equal(200)
  const list = await request(server, 'GET', '/api/v1/auth/tokens', {token: session})
  return list.body.find((token: {name: string}) => token.name === 'seen-from').last_used_ip
}

backends('public URL and trusted proxies', (backend) => {
  let server: TestServer | undefined
  afterEach(() => server?.close())

  it('with --public-url, a spoofed Host header changes neither the sign-in links nor the metadata; cookies are Secure', async () => {
    server = await startTestServer(backend, {}, {publicUrl: 'https://ndcli.example.com/'})
    const code = await deviceCode(server, {host: 'evil.example'})
    expect(code.status).to.equal(200)
    expect(code.body.verification_uri).to.equal('https://ndcli.example.com/activate')
    expect(code.body.verification_uri_complete).to.equal(`https://ndcli.example.com/activate?user_code=${code.body.user_code}`)
    const discovered = await metadata(server, {host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http'})
    expect(discovered.body).to.include({
      issuer: 'https://ndcli.example.com',
      device_authorization_endpoint: 'https://ndcli.example.com/oauth/device/code',
      token_endpoint: 'https://ndcli.example.com/oauth/token',
      revocation_endpoint: 'https://ndcli.example.com/oauth/revoke',
    })
    const page = await rawRequest(server, 'GET', '/activate', {host: 'evil.example'})
    expect(String(page.headers['set-cookie'])).to.match(/; Secure/)
  })

  it('without --public-url the links follow the Host header (as before), and an http public URL sets no Secure cookie', async () => {
    server = await startTestServer(backend)
    expect((await deviceCode(server, {host: 'evil.example'})).body.verification_uri).to.equal('http://evil.example/activate')
    await server.close()
    server = await startTestServer(backend, {}, {publicUrl: 'http://ndcli.internal:8080/base'})
    expect((await deviceCode(server, {host: 'evil.example'})).body.verification_uri).to.equal('http://ndcli.internal:8080/base/activate')
    const page = await rawRequest(server, 'GET', '/activate', {})
    expect(String(page.headers['set-cookie'])).not.to.match(/Secure/)
  })

  it('X-Forwarded-For is ignored unless the proxy is trusted: the client address is the peer', async () => {
    server = await startTestServer(backend)
    const spoofed = {'x-forwarded-for': '203.0.113.7', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https'}
    expect(await addressSeenFor(server, spoofed)).to.equal('127.0.0.1')
    expect((await deviceCode(server, spoofed)).body.verification_uri).to.equal(`${server.url}/activate`)
  })

  it('with --trust-proxy naming the proxy, X-Forwarded-For is the client address and X-Forwarded-Proto/Host the links', async () => {
    server = await startTestServer(backend, {}, {trustProxy: ['127.0.0.1']})
    expect(await addressSeenFor(server, {'x-forwarded-for': '198.51.100.1, 203.0.113.7'})).to.equal('203.0.113.7')
    const forwarded = {'x-forwarded-host': 'ndcli.example.org', 'x-forwarded-proto': 'https'}
    expect((await deviceCode(server, forwarded)).body.verification_uri).to.equal('https://ndcli.example.org/activate')
    expect(String((await rawRequest(server, 'GET', '/activate', forwarded)).headers['set-cookie'])).to.match(/; Secure/)
  })

  it('a trusted proxy that is not the peer is not believed; a hop count of 1 trusts the peer', async () => {
    server = await startTestServer(backend, {}, {trustProxy: ['10.0.0.0/8']})
    expect(await addressSeenFor(server, {'x-forwarded-for': '203.0.113.7'})).to.equal('127.0.0.1')
    await server.close()
    server = await startTestServer(backend, {}, {trustProxy: 1})
    expect(await addressSeenFor(server, {'x-forwarded-for': '198.51.100.1, 203.0.113.7'})).to.equal('203.0.113.7')
  })
})
