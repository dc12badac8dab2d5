import {expect} from 'chai'
import {openStore} from '../src/db/index.js'
import {MIGRATIONS} from '../src/db/migrations.js'
import {deviceFlowSession, seedAccount, startServerProcess, type ServerProcess} from '../src/testing.js'
import {backends, freshDatabase, type TestDatabase} from './backends.js'
import {ensureBuilt} from './build.js'

/** A response of a real server process, read once. */
async function call(server: ServerProcess, method: string, path: string, options: {token: string; json?: unknown}) {
  const response = await fetch(server.url + path, {
    method,
    headers: {authorization: `Bearer ${options.token}`, ...(options.json === undefined ? {} : {'content-type': 'application/json'})},
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  })
  const text = await response.text()
  return {status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}}
}

const errorCode = (response: {body: Record<string, unknown>}) => (response.body.error as {code?: string} | undefined)?.code

/**
 * Several stateless instances on one database (PostgreSQL is the production case; SQLite shares a
 * file between processes on one machine): every decision is the database's, nothing is cached.
 */
backends('two server instances on one database (real processes)', (backend) => {
  const account = {email: 'ada@example.com', password: 'two instances, one database'}
  let database: TestDatabase
  let a: ServerProcess
  let b: ServerProcess
  let session: string

  const start = (db: TestDatabase) => startServerProcess({...db.storeOptions, env: {NDCLI_SERVER_TEST_CLOCK: '1'}})

  before(async () => {
    ensureBuilt()
    database = await freshDatabase(backend)
    ;[a, b] = await Promise.all([start(database), start(database)])
    await seedAccount(a, {...account, orgs: [{slug: 'ops', role: 'read-write'}]})
    session = (await deviceFlowSession(a.url, account)).access_token
  })
  afterEach(async () => {
    await Promise.all([a.shiftClock(0), b.shiftClock(0)])
  })
  after(async () => {
    await Promise.all([a, b].map((server) => server?.stop()))
    await database?.drop()
  })

  const createPat = async (via: ServerProcess, body: Record<string, unknown>) => {
    const response = await call(via, 'POST', '/api/v1/auth/tokens', {token: session, json: body})
    expect(response.status, JSON.stringify(response.body)).to.equal(201)
    return response.body.token as string
  }
  const listed = async (via: ServerProcess, name: string) => {
    const list = await call(via, 'GET', '/api/v1/auth/tokens', {token: session})
    return (list.body as unknown as Array<Record<string, unknown>>).find((item) => item.name === name)
  }

  it('a PAT revoked through A is refused by B on the very next request', async () => {
    const pat = await createPat(a, {name: 'revoke-me', scope: 'RW'})
    expect((await call(b, 'GET', '/api/v1/auth/me', {token: pat})).status).to.equal(200)
    expect((await call(a, 'DELETE', '/api/v1/auth/tokens/revoke-me', {token: session})).status).to.equal(204)
    const refused = await call(b, 'GET', '/api/v1/auth/me', {token: pat})
    expect([refused.status, errorCode(refused)]).to.deep.equal([401, 'token_revoked'])
  })

  it('expiry is decided on every request: B refuses a PAT it accepted once its clock passes expires_at', async () => {
    const pat = await createPat(a, {name: 'expiring', scope: 'RO', expires_in: '30d'})
    expect((await call(b, 'GET', '/api/v1/auth/me', {token: pat})).status).to.equal(200)
    await b.shiftClock(30 * 86_400)
    const refused = await call(b, 'GET', '/api/v1/auth/me', {token: pat})
    expect([refused.status, errorCode(refused)]).to.deep.equal([401, 'token_expired'])
    expect((await call(a, 'GET', '/api/v1/auth/me', {token: pat})).status).to.equal(200)
  })

  it('20 concurrent creates of one name spread over A and B: exactly one 201, nineteen 409 name_taken', async () => {
    const responses = await Promise.all(
      Array.from({length: 20}, (_, i) => call(i % 2 ? a : b, 'POST', '/api/v1/auth/tokens', {token: session, json: {name: 'contested', scope: 'RW'}})),
    )
    expect(responses.map((response) => response.status).sort()).to.deep.equal([201, ...Array<number>(19).fill(409)])
    expect(responses.filter((response) => response.status === 409).map(errorCode)).to.deep.equal(Array<string>(19).fill('name_taken'))
  })

  it('last_used_at is written at most once a minute across instances', async () => {
    const pat = await createPat(a, {name: 'used', scope: 'RO'})
    expect((await call(a, 'GET', '/api/v1/auth/me', {token: pat})).status).to.equal(200)
    const first = await listed(b, 'used')
    expect(first).to.include({last_used_ip: '127.0.0.1'})
    expect(first?.last_used_at).to.be.a('string')

    // Later requests through both instances, within the minute: the recorded use stays the first one.
    const burst = await Promise.all(Array.from({length: 12}, (_, i) => call(i % 2 ? a : b, 'GET', '/api/v1/auth/me', {token: pat})))
    expect(burst.map((response) => response.status)).to.deep.equal(Array<number>(12).fill(200))
    expect((await listed(a, 'used'))?.last_used_at).to.equal(first?.last_used_at)

    // A minute later (both clocks moved), the next use through either instance is recorded again.
    await Promise.all([a.shiftClock(61), b.shiftClock(61)])
    expect((await call(b, 'GET', '/api/v1/auth/me', {token: pat})).status).to.equal(200)
    const later = await listed(a, 'used')
    expect(Date.parse(String(later?.last_used_at)) - Date.parse(String(first?.last_used_at))).to.be.at.least(61_000)
  })

  it('a sign-in form rendered by one instance is accepted by the other: one CSRF key, made once even when both ask at once', async () => {
    const fresh = await freshDatabase(backend)
    const [x, y] = await Promise.all([start(fresh), start(fresh)])
    try {
      const grace = {email: 'grace@example.com', password: 'one key for every instance'}
      await seedAccount(x, grace)
      // Both instances need the key for their first form at the same moment.
      const pages = await Promise.all([x, y].map(async (server) => {
        const page = await fetch(`${server.url}/activate`)
        const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1]!
        return {csrfToken, cookie: page.headers.getSetCookie()[0]!.split(';')[0]!}
      }))
      const approveVia = async (server: ServerProcess, page: {csrfToken: string; cookie: string}) => {
        const code = (await (await fetch(`${server.url}/oauth/device/code`, {method: 'POST', body: new URLSearchParams({client_id: 'ndcli'})})).json()) as {user_code: string}
        const response = await fetch(`${server.url}/activate`, {
          method: 'POST',
          headers: {cookie: page.cookie},
          body: new URLSearchParams({user_code: code.user_code, email: grace.email, password: grace.password, csrf_token: page.csrfToken, action: 'approve'}),
        })
        return response.status
      }
      expect([await approveVia(y, pages[0]!), await approveVia(x, pages[1]!)]).to.deep.equal([200, 200])
      // Not vacuous: a token the other instance could not have made is still refused there.
      expect(await approveVia(y, {...pages[0]!, csrfToken: `${pages[0]!.csrfToken.split('.')[0]}.${'A'.repeat(43)}`})).to.equal(403)
    } finally {
      await Promise.all([x.stop(), y.stop()])
      await fresh.drop()
    }
  })

  it('instances started together on an empty database apply the migrations exactly once', async () => {
    const fresh = await freshDatabase(backend)
    const servers: ServerProcess[] = []
    try {
      // Each start() rejects if its process exits (e.g. a migration collided) before listening.
      servers.push(...(await Promise.all([start(fresh), start(fresh), start(fresh), start(fresh)])))
      const health = await Promise.all(servers.map(async (server) => (await fetch(`${server.url}/readyz`)).status))
      expect(health).to.deep.equal([200, 200, 200, 200])
      const store = await openStore(fresh.storeOptions)
      try {
        expect((await store.listAppliedMigrations()).map((row) => row.version)).to.deep.equal(MIGRATIONS.map((m) => m.version))
      } finally {
        await store.close()
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()))
      await fresh.drop()
    }
  })
})
