import {request as httpRequest} from 'node:http'
import {expect} from 'chai'
import {openStore} from '../src/db/index.js'
import {startServer, type RunningServer} from '../src/server.js'
import {deviceFlowSession, seedAccount, startServerProcess, type ServerProcess} from '../src/testing.js'
import {freshDatabase, type TestDatabase} from './backends.js'
import {ensureBuilt} from './build.js'
import {backends, createPat, expectError, request, seedUser, signIn, startTestServer, type ApiResponse, type TestServer} from './helpers.js'
import {conformanceProblem} from './openapi-conformance.js'

/** A GET from a chosen loopback source address: the kernel would pick 127.0.0.1 (or ::1) otherwise. */
function getFrom(url: string, localAddress: string, path: string, token: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url)
    const outgoing = httpRequest(
      {host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, path: target.pathname, localAddress, headers: {...headers, authorization: `Bearer ${token}`}},
      (response) => {
        let text = ''
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
        response.on('end', () => {
          const body = text ? JSON.parse(text) : text
          const problem = conformanceProblem('GET', path, {status: response.statusCode!, contentType: response.headers['content-type'] ?? null, body})
          if (problem) reject(new Error(problem))
          else resolve({status: response.statusCode!, headers: new Headers(), text, body})
        })
      },
    )
    outgoing.on('error', reject)
    outgoing.end()
  })
}

backends('org token policy', (backend) => {
  let server: TestServer
  let session: string
  let memberSession: string

  before(async () => {
    server = await startTestServer(backend)
    session = (await signIn(server, await seedUser(server, {ops: 'superuser', dev: 'superuser', audit: 'read-only'}))).access_token
    memberSession = (await signIn(server, await seedUser(server, {ops: 'read-write', audit: 'read-only'}))).access_token
  })
  after(() => server.close())

  const policyPath = (slug: string) => `/api/v1/organizations/${slug}/token-policy`
  const setPolicy = (slug: string, json: unknown, token = session) => request(server, 'PATCH', policyPath(slug), {token, json})
  const create = (json: Record<string, unknown>) => request(server, 'POST', '/api/v1/auth/tokens', {token: session, json})
  const openPolicy = {max_lifetime: 'none', allowed_scopes: ['RW', 'RO'], require_org_restriction: false}
  afterEach(async () => {
    for (const slug of ['ops', 'dev']) expect((await setPolicy(slug, openPolicy)).status).to.equal(200)
  })

  it('starts open; every member reads it, a superuser changes it, settings left out stay', async () => {
    const initial = await request(server, 'GET', policyPath('ops'), {token: memberSession})
    expect(initial.status, initial.text).to.equal(200)
    expect(initial.body).to.deep.equal({org: 'ops', max_lifetime: null, allowed_scopes: ['RW', 'RO'], require_org_restriction: false})

    expect((await setPolicy('ops', {max_lifetime: '90d'})).body).to.deep.equal({org: 'ops', max_lifetime: '90d', allowed_scopes: ['RW', 'RO'], require_org_restriction: false})
    const changed = await setPolicy('ops', {allowed_scopes: ['ro'], require_org_restriction: true})
    expect(changed.body).to.deep.equal({org: 'ops', max_lifetime: '90d', allowed_scopes: ['RO'], require_org_restriction: true})
    expect((await request(server, 'GET', policyPath('ops'), {token: memberSession})).body).to.deep.equal(changed.body)
  })

  it('a member who is not a superuser gets 403; so does an RO token of a superuser', async () => {
    const refused = await setPolicy('ops', {max_lifetime: '30d'}, memberSession)
    expectError(refused, 403, 'insufficient_scope')
    expect(refused.body.error.message).to.equal('Only superusers of "ops" can change its token policy: ask one of them.')
    expectError(await setPolicy('audit', {max_lifetime: '30d'}, memberSession), 403, 'insufficient_scope')
    const readOnly = await createPat(server, session, {name: 'ro-admin', scope: 'RO'})
    expectError(await setPolicy('ops', {max_lifetime: '30d'}, readOnly), 403, 'insufficient_scope')
    expect((await request(server, 'GET', policyPath('ops'), {token: readOnly})).status).to.equal(200)
    expectError(await request(server, 'GET', policyPath('finance'), {token: session}), 404, 'not_found')
  })

  const badPolicies: Array<[string, unknown, RegExp]> = [
    ['an unknown key', {max_age: '30d'}, /^Unknown field "max_age": the allowed fields are max_lifetime, allowed_scopes, require_org_restriction$/],
    ['an unknown lifetime', {max_lifetime: '7d'}, /^max_lifetime must be one of: 30d, 60d, 90d, 180d, 365d, none/],
    ['an unknown scope', {allowed_scopes: ['admin']}, /^allowed_scopes\.0 must be one of: RW, RO$/],
    ['no scope at all', {allowed_scopes: []}, /^allowed_scopes must be a non-empty list of distinct scopes: RW, RO$/],
    ['a non-boolean restriction', {require_org_restriction: 'yes'}, /^require_org_restriction must be true or false$/],
  ]
  for (const [label, body, message] of badPolicies) {
    it(`refuses ${label} with 400 naming the allowed form`, async () => {
      const response = await setPolicy('ops', body)
      expectError(response, 400, 'invalid_input')
      expect(response.body.error.message).to.match(message)
    })
  }

  describe('create against each rule', () => {
    it('max_lifetime: a restricted token within it is made; a longer or never-expiring one is refused naming the allowed values', async () => {
      await setPolicy('ops', {max_lifetime: '90d'})
      expect((await create({name: 'ok-90', scope: 'RW', org: 'ops', expires_in: '90d'})).status).to.equal(201)
      const refused = await create({name: 'long', scope: 'RW', org: 'ops', expires_in: '180d'})
      expectError(refused, 403, 'policy_violation')
      expect(refused.body.error.message).to.equal('ops allows tokens that expire within 90 days: use --expiry 30d, 60d or 90d.')
      expectError(await create({name: 'forever', scope: 'RW', org: 'ops', expires_in: 'never'}), 403, 'policy_violation')
    })

    it('allowed_scopes: RO only refuses a restricted RW token', async () => {
      await setPolicy('ops', {allowed_scopes: ['RO']})
      expect((await create({name: 'ro-ok', scope: 'RO', org: 'ops'})).status).to.equal(201)
      const refused = await create({name: 'rw-no', scope: 'RW', org: 'ops'})
      expectError(refused, 403, 'policy_violation')
      expect(refused.body.error.message).to.equal('ops allows tokens with scope RO only: use --scope RO.')
    })

    it('require_org_restriction: a token restricted to the org is made and works there; an unrestricted one is made but refused there only', async () => {
      await setPolicy('ops', {require_org_restriction: true})
      const restricted = await createPat(server, session, {name: 'ops-only', scope: 'RW', org: 'ops'})
      expect((await request(server, 'GET', '/api/v1/organizations/ops', {token: restricted})).status).to.equal(200)

      const created = await create({name: 'everywhere', scope: 'RW'})
      expect(created.status).to.equal(201)
      expect(created.body.policy_check.allowed).to.equal(false)
      expect(created.body.policy_check.organizations.map((item: {org: string; violations: string[]}) => [item.org, item.violations])).to.deep.equal([
        ['audit', []],
        ['dev', []],
        ['ops', ['ops requires tokens restricted to it: use --org ops']],
      ])
      const refused = await request(server, 'GET', '/api/v1/organizations/ops', {token: created.body.token})
      expectError(refused, 403, 'policy_violation')
      expect(refused.body.error.message).to.equal('ops requires tokens restricted to it: use --org ops.')
      expect((await request(server, 'GET', '/api/v1/organizations/dev', {token: created.body.token})).status).to.equal(200)
      const organizations = (await request(server, 'GET', '/api/v1/organizations', {token: created.body.token})).body as Array<{slug: string; unreachable_reason: string | null}>
      expect(organizations.map(({slug, unreachable_reason: reason}) => [slug, reason])).to.deep.equal([
        ['audit', null],
        ['dev', null],
        ['ops', 'ops requires tokens restricted to it: use --org ops.'],
      ])
      const bySession = (await request(server, 'GET', '/api/v1/organizations', {token: session})).body as Array<{unreachable_reason: string | null}>
      expect(bySession.map((item) => item.unreachable_reason)).to.deep.equal([null, null, null])

      const listed = (await request(server, 'GET', '/api/v1/auth/tokens', {token: session})).body as Array<{name: string; unreachable_orgs: unknown}>
      expect(listed.find((token) => token.name === 'everywhere')!.unreachable_orgs).to.deep.equal([
        {org: 'ops', reason: 'ops requires tokens restricted to it: use --org ops.'},
      ])
      expect(listed.find((token) => token.name === 'ops-only')!.unreachable_orgs).to.deep.equal([])
      expect((await request(server, 'GET', '/api/v1/auth/tokens/everywhere', {token: session})).body.unreachable_orgs).to.have.length(1)
    })

    it('several broken rules are named in one message', async () => {
      await setPolicy('dev', {max_lifetime: '30d', allowed_scopes: ['RO']})
      const refused = await create({name: 'both', scope: 'RW', org: 'dev', expires_in: '60d'})
      expectError(refused, 403, 'policy_violation')
      expect(refused.body.error.message).to.equal('dev allows tokens that expire within 30 days: use --expiry 30d; dev allows tokens with scope RO only: use --scope RO.')
    })

    it('policy-check answers the decision without creating anything', async () => {
      await setPolicy('ops', {max_lifetime: '30d'})
      const check = await request(server, 'POST', '/api/v1/auth/policy-check', {token: session, json: {scope: 'RW', org: 'ops', expires_in: '90d'}})
      expect(check.status, check.text).to.equal(200)
      expect(check.body).to.deep.equal({
        allowed: false,
        organizations: [
          {
            org: 'ops',
            max_lifetime: '30d',
            allowed_scopes: ['RW', 'RO'],
            require_org_restriction: false,
            violations: ['ops allows tokens that expire within 30 days: use --expiry 30d'],
          },
        ],
      })
      const everywhere = await request(server, 'POST', '/api/v1/auth/policy-check', {token: session, json: {scope: 'RO', expires_in: '30d'}})
      expect(everywhere.body.allowed).to.equal(true)
      expect(everywhere.body.organizations.map((item: {org: string}) => item.org)).to.deep.equal(['audit', 'dev', 'ops'])
      expect((await request(server, 'GET', '/api/v1/auth/tokens', {token: session})).body.map((t: {name: string}) => t.name)).not.to.include('check')
    })
  })

  it('a rotation of a restricted token the policy now forbids is refused; the token is not renewed', async () => {
    await createPat(server, session, {name: 'to-rotate', scope: 'RW', org: 'dev', expires_in: '365d'})
    await setPolicy('dev', {max_lifetime: '180d'})
    const refused = await request(server, 'POST', '/api/v1/auth/tokens/to-rotate/rotate', {token: session, json: {}})
    expectError(refused, 403, 'policy_violation')
    // rotate has no --expiry: the fix is a replacement token, as commands to run.
    expect(refused.body.error.message).to.equal(
      "dev allows tokens that expire within 180 days, and a rotation keeps the token's lifetime (365 days): " +
        "replace it with 'ndcli auth token revoke to-rotate --yes && ndcli auth token create --name to-rotate --scope RW --org dev --expiry 180d'.",
    )
  })

  it('a policy change applies to the next request on another instance over the same database', async () => {
    const otherStore = await openStore(server.database.storeOptions)
    const other: RunningServer = await startServer({store: otherStore, port: 0, clock: server.clock.now, logger: false})
    try {
      const viaOther = {...server, url: other.url}
      const token = await createPat(server, session, {name: 'cross', scope: 'RW'})
      expect((await request(viaOther, 'GET', '/api/v1/organizations/ops', {token})).status).to.equal(200)
      await setPolicy('ops', {allowed_scopes: ['RO']})
      expectError(await request(viaOther, 'GET', '/api/v1/organizations/ops', {token}), 403, 'policy_violation')
      await setPolicy('ops', openPolicy)
      expect((await request(viaOther, 'GET', '/api/v1/organizations/ops', {token})).status).to.equal(200)
    } finally {
      await other.close()
      await otherStore.close()
    }
  })
})

backends('per-token IP allowlist', (backend) => {
  let server: TestServer
  let session: string
  /** Dual-stack (::), so that ::1 reaches it too; IPv4 peers appear as ::ffff:127.0.0.x there. */
  let dualStack: RunningServer

  before(async () => {
    server = await startTestServer(backend)
    session = (await signIn(server, await seedUser(server, {ops: 'read-write'}))).access_token
    dualStack = await startServer({store: server.store, host: '::', port: 0, clock: server.clock.now, logger: false})
  })
  after(async () => {
    await dualStack.close()
    await server.close()
  })

  const port = () => new URL(dualStack.url).port
  const create = (json: Record<string, unknown>) => request(server, 'POST', '/api/v1/auth/tokens', {token: session, json})

  it('a token allowed for 127.0.0.2 works from 127.0.0.2 and is refused from 127.0.0.3 and ::1, naming the address only', async () => {
    const created = await create({name: 'only-2', scope: 'RO', allow_ips: ['127.0.0.2', '10.20.0.0/16']})
    expect(created.status, created.text).to.equal(201)
    expect(created.body.allow_ips).to.deep.equal(['127.0.0.2/32', '10.20.0.0/16'])
    const {token} = created.body

    expect((await getFrom(`http://127.0.0.1:${port()}`, '127.0.0.2', '/api/v1/auth/me', token)).status).to.equal(200)
    for (const [source, target] of [['127.0.0.3', '127.0.0.1'], ['::1', '[::1]']] as const) {
      const refused = await getFrom(`http://${target}:${port()}`, source, '/api/v1/auth/me', token)
      expectError(refused, 403, 'ip_not_allowed')
      expect(refused.body.error.message).to.include(source === '::1' ? '::1' : '127.0.0.3')
      expect(refused.body.error.message).not.to.include('10.20')
      expect(refused.body.error.message).not.to.include('127.0.0.2')
    }
    const listed = await request(server, 'GET', '/api/v1/auth/tokens/only-2', {token: session})
    expect(listed.body.allow_ips).to.deep.equal(['127.0.0.2/32', '10.20.0.0/16'])
    expect(listed.body.last_used_ip).to.match(/127\.0\.0\.2$/)
  })

  it('IPv6 blocks: ::1/128 serves ::1 and refuses 127.0.0.2; a /8 serves the loopback range', async () => {
    const v6 = (await create({name: 'v6', scope: 'RO', allow_ips: ['::1']})).body.token
    expect((await getFrom(`http://[::1]:${port()}`, '::1', '/api/v1/auth/me', v6)).status).to.equal(200)
    expectError(await getFrom(`http://127.0.0.1:${port()}`, '127.0.0.2', '/api/v1/auth/me', v6), 403, 'ip_not_allowed')
    const range = (await create({name: 'loopback', scope: 'RO', allow_ips: ['127.0.0.0/8']})).body.token
    for (const source of ['127.0.0.2', '127.0.0.3']) {
      expect((await getFrom(`http://127.0.0.1:${port()}`, source, '/api/v1/auth/me', range)).status).to.equal(200)
    }
  })

  it('X-Forwarded-For is not trusted by default: the socket address decides', async () => {
    const token = (await create({name: 'forwarded', scope: 'RO', allow_ips: ['203.0.113.9']})).body.token
    const refused = await request(server, 'GET', '/api/v1/auth/me', {token, headers: {'x-forwarded-for': '203.0.113.9'}})
    expectError(refused, 403, 'ip_not_allowed')
    expect(refused.body.error.message).to.include('127.0.0.1').and.not.include('203.0.113.9')
  })

  it('rotation keeps the list', async () => {
    await create({name: 'kept', scope: 'RO', allow_ips: ['127.0.0.3']})
    const rotated = await request(server, 'POST', '/api/v1/auth/tokens/kept/rotate', {token: session, json: {}})
    expect(rotated.body.allow_ips).to.deep.equal(['127.0.0.3/32'])
    expect((await getFrom(`http://127.0.0.1:${port()}`, '127.0.0.3', '/api/v1/auth/me', rotated.body.token)).status).to.equal(200)
    expectError(await getFrom(`http://127.0.0.1:${port()}`, '127.0.0.2', '/api/v1/auth/me', rotated.body.token), 403, 'ip_not_allowed')
  })

  const badLists: Array<[string, unknown, RegExp]> = [
    ['a malformed address', ['10.0.0.300'], /^allow_ips "10\.0\.0\.300" is not an address or CIDR block: use an IPv4 or IPv6 address or CIDR block/],
    ['a /0', ['0.0.0.0/0'], /^allow_ips "0\.0\.0\.0\/0" allows every address: use/],
    ['an IPv6 /0', ['::/0'], /allows every address/],
    ['a prefix too long', ['10.0.0.0/33'], /has a prefix that is not \/1 to \/32/],
    ['17 entries', Array.from({length: 17}, (_, i) => `10.0.0.${i}`), /^allow_ips must be a list of at most 16 IPv4 or IPv6 addresses or CIDR blocks/],
    ['not a list', '10.0.0.1', /^allow_ips must be a list of at most 16/],
  ]
  for (const [label, allowIps, message] of badLists) {
    it(`refuses ${label} with 400 naming the allowed form`, async () => {
      const response = await create({name: 'bad', scope: 'RO', allow_ips: allowIps})
      expectError(response, 400, 'invalid_input')
      expect(response.body.error.message).to.match(message)
    })
  }
})

/**
 * Behind a reverse proxy the client address is X-Forwarded-For's, and only with the operator's
 * proxy trust on: the real ndcli-server, started with --trust-proxy (a list of proxy addresses)
 * or NDCLI_TRUST_PROXY (a hop count), dual-stack so that ::1 reaches it too.
 */
backends('per-token IP allowlist behind a trusted proxy (real ndcli-server)', (backend) => {
  const account = {email: 'ada@example.com', password: 'behind the proxy'}
  const databases: TestDatabase[] = []
  const servers: ServerProcess[] = []
  /** The allowlist of every token here: the CI's egress range, never a loopback address. */
  const egress = '203.0.113.0/24'

  before(ensureBuilt)
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()))
    await Promise.all(databases.map((database) => database.drop()))
  })

  /** A server with that proxy trust, an account on it, and a token that only the egress range may use. */
  async function serverWithToken(options: {startArgs?: string[]; env?: Record<string, string>}) {
    const database = await freshDatabase(backend)
    databases.push(database)
    const server = await startServerProcess({...database.storeOptions, host: '::', ...options})
    servers.push(server)
    await seedAccount(server, account)
    const session = (await deviceFlowSession(server.url, account)).access_token
    const created = await fetch(`${server.url}/api/v1/auth/tokens`, {
      method: 'POST',
      headers: {authorization: `Bearer ${session}`, 'content-type': 'application/json'},
      body: JSON.stringify({name: 'ci', scope: 'RO', allow_ips: [egress]}),
    })
    expect(created.status).to.equal(201)
    const {token} = (await created.json()) as {token: string}
    const port = new URL(server.url).port
    /** GET /auth/me with the token from a loopback source address, through a "proxy" that sent this X-Forwarded-For. */
    const me = (source: string, forwardedFor?: string) =>
      getFrom(`http://${source.includes(':') ? `[${source}]` : '127.0.0.1'}:${port}`, source, '/api/v1/auth/me', token, forwardedFor ? {'x-forwarded-for': forwardedFor} : {})
    const lastUsedIp = async () => (await getFrom(`http://127.0.0.1:${port}`, '127.0.0.1', '/api/v1/auth/tokens/ci', session)).body.last_used_ip as string
    return {me, lastUsedIp}
  }

  /** Allowed: 200. Refused: 403 ip_not_allowed naming the address the server saw, and never the allowlist. */
  function expectVerdict(response: ApiResponse, seen: string, allowed: boolean) {
    if (allowed) return expect(response.status, response.text).to.equal(200)
    expectError(response, 403, 'ip_not_allowed')
    expect(response.body.error.message).to.match(new RegExp(`^This token is not allowed from ${seen.replaceAll('.', '\\.')}: `))
    expect(response.body.error.message).not.to.include('203.0.113.0')
  }

  it('--trust-proxy 127.0.0.2,::1: X-Forwarded-For from those proxies is the client; from any other peer it is not believed', async () => {
    const {me, lastUsedIp} = await serverWithToken({startArgs: ['--trust-proxy', '127.0.0.2,::1']})
    const cases: Array<[source: string, forwardedFor: string | undefined, seen: string, allowed: boolean]> = [
      ['127.0.0.2', '203.0.113.9', '203.0.113.9', true],
      ['::1', '203.0.113.10', '203.0.113.10', true],
      ['127.0.0.2', '198.51.100.7', '198.51.100.7', false],
      ['::1', '198.51.100.7', '198.51.100.7', false],
      // Only the proxy's own hop is believed: an address the client put in front is not.
      ['127.0.0.2', '203.0.113.9, 198.51.100.7', '198.51.100.7', false],
      // 127.0.0.3 is no trusted proxy: its header is ignored and its own address decides.
      ['127.0.0.3', '203.0.113.9', '127.0.0.3', false],
      ['127.0.0.2', undefined, '127.0.0.2', false],
    ]
    for (const [source, forwardedFor, seen, allowed] of cases) expectVerdict(await me(source, forwardedFor), seen, allowed)
    // The last use (written at most once a minute: the first request served) records the client, not the proxy.
    expect(await lastUsedIp()).to.equal('203.0.113.9')
  })

  it('NDCLI_TRUST_PROXY=1: one proxy hop in front of the server, whichever its address', async () => {
    const {me} = await serverWithToken({env: {NDCLI_TRUST_PROXY: '1'}})
    const cases: Array<[source: string, forwardedFor: string | undefined, seen: string, allowed: boolean]> = [
      ['127.0.0.3', '203.0.113.9', '203.0.113.9', true],
      ['::1', '203.0.113.9', '203.0.113.9', true],
      ['127.0.0.2', '198.51.100.7', '198.51.100.7', false],
      // One hop: the rightmost entry is the client, not the one the client wrote before it.
      ['127.0.0.3', '203.0.113.9, 198.51.100.7', '198.51.100.7', false],
      ['127.0.0.3', undefined, '127.0.0.3', false],
    ]
    for (const [source, forwardedFor, seen, allowed] of cases) expectVerdict(await me(source, forwardedFor), seen, allowed)
  })
})
