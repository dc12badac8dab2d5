import {expect} from 'chai'
import {validatePat} from '@ndcli/core/pat'
import {backends, createPat, expectError, request, seedUser, signIn, startTestServer, type TestServer} from './helpers.js'

const DAY = 86_400_000

backends('personal access tokens', (backend) => {
  let server: TestServer
  let email: string
  let session: string

  beforeEach(async () => {
    server = await startTestServer(backend)
    email = await seedUser(server, {ops: 'read-write'})
    session = (await signIn(server, email)).access_token
  })
  afterEach(() => server.close())

  it('creates a token: shown once, well-formed, with the defaults of api.md', async () => {
    const response = await request(server, 'POST', '/api/v1/auth/tokens', {token: session, json: {name: 'github-ci', scope: 'rw'}})
    expect(response.status).to.equal(201)
    const {token, ...rest} = response.body
    expect(validatePat(token)).to.deep.equal({valid: true})
    const now = server.clock.now().getTime()
    expect(Date.parse(rest.created_at)).to.be.closeTo(now, 5000)
    expect(rest).to.deep.equal({
      name: 'github-ci',
      token_prefix: token.slice(0, 12),
      scope: 'RW',
      org: null,
      expires_at: new Date(Date.parse(rest.created_at) + 90 * DAY).toISOString(),
      created_at: rest.created_at,
      allow_ips: null,
      policy_check: rest.policy_check,
    })
    expect(rest.policy_check.allowed).to.equal(true)
  })

  it('lists live tokens with exactly the api.md fields, never the secret', async () => {
    const token = await createPat(server, session, {name: 'monitor', scope: 'RO', org: 'ops', expires_in: 'never'})
    const list = await request(server, 'GET', '/api/v1/auth/tokens', {token: session})
    expect(list.status).to.equal(200)
    expect(list.text).not.to.include(token)
    expect(list.body).to.have.length(1)
    expect(list.body[0]).to.deep.equal({
      name: 'monitor',
      token_prefix: token.slice(0, 12),
      scope: 'RO',
      org: 'ops',
      expires_at: null,
      last_used_at: null,
      last_used_ip: null,
      created_at: list.body[0].created_at,
      is_expired: false,
      previous_valid_until: null,
      allow_ips: null,
      unreachable_orgs: [],
    })
  })

  for (const [expiresIn, days] of [['30d', 30], ['60d', 60], ['180d', 180], ['365d', 365]] as const) {
    it(`expires_in ${expiresIn} sets expires_at = created_at + ${days} days`, async () => {
      const response = await request(server, 'POST', '/api/v1/auth/tokens', {
        token: session,
        json: {name: 'ci', scope: 'RO', expires_in: expiresIn},
      })
      expect(Date.parse(response.body.expires_at) - Date.parse(response.body.created_at)).to.equal(days * DAY)
    })
  }

  const invalidBodies: Array<[string, unknown, RegExp]> = [
    ['missing name', {scope: 'RW'}, /^name is required and must be 1-64 characters/],
    ['empty name', {name: '', scope: 'RW'}, /^name must be 1-64 characters: letters, digits, space/],
    ['name starting with a dash', {name: '-ci', scope: 'RW'}, /^name must be 1-64 characters/],
    ['name of 65 characters', {name: 'a'.repeat(65), scope: 'RW'}, /^name must be 1-64 characters/],
    ['name with a slash', {name: 'a/b', scope: 'RW'}, /^name must be 1-64 characters/],
    ['missing scope', {name: 'ci'}, /^scope is required and must be one of: RW, RO$/],
    ['unknown scope', {name: 'ci', scope: 'admin'}, /^scope must be one of: RW, RO$/],
    ['scope of the wrong type', {name: 'ci', scope: 1}, /^scope must be one of: RW, RO$/],
    ['unknown expiry', {name: 'ci', scope: 'RW', expires_in: '7d'}, /^expires_in must be one of: 30d, 60d, 90d, 180d, 365d, never$/],
    ['unknown field', {name: 'ci', scope: 'RW', admin: true}, /^Unknown field "admin": the allowed fields are name, scope, org, expires_in, allow_ips$/],
    ['an array body', [{name: 'ci', scope: 'RW'}], /^The request body must be a JSON object$/],
  ]
  for (const [label, body, message] of invalidBodies) {
    it(`refuses ${label} with invalid_input naming the field`, async () => {
      const response = await request(server, 'POST', '/api/v1/auth/tokens', {token: session, json: body})
      expectError(response, 400, 'invalid_input')
      expect(response.body.error.message).to.match(message)
    })
  }

  it('accepts names with spaces, dots and underscores, and revokes them by URL-encoded name', async () => {
    await createPat(server, session, {name: 'My laptop_2.0', scope: 'RW'})
    const revoke = await request(server, 'DELETE', `/api/v1/auth/tokens/${encodeURIComponent('My laptop_2.0')}`, {token: session})
    expect(revoke.status).to.equal(204)
    expect((await request(server, 'GET', '/api/v1/auth/tokens', {token: session})).body).to.deep.equal([])
  })

  it('refuses an org the account is not a member of, and an org that does not exist', async () => {
    await seedUser(server, {finance: 'superuser'})
    expectError(await request(server, 'POST', '/api/v1/auth/tokens', {token: session, json: {name: 'a', scope: 'RW', org: 'finance'}}), 403, 'not_a_member')
    expectError(await request(server, 'POST', '/api/v1/auth/tokens', {token: session, json: {name: 'a', scope: 'RW', org: 'nowhere'}}), 404, 'not_found')
  })

  it('20 parallel creates of one name: exactly one 201 and nineteen 409 name_taken', async () => {
    const responses = await Promise.all(
      Array.from({length: 20}, () => request(server, 'POST', '/api/v1/auth/tokens', {token: session, json: {name: 'race', scope: 'RW'}})),
    )
    expect(responses.map((response) => response.status).sort()).to.deep.equal([201, ...Array<number>(19).fill(409)])
    const conflicts = responses.filter((response) => response.status === 409)
    expect(conflicts).to.have.length(19)
    for (const conflict of conflicts) {
      expectError(conflict, 409, 'name_taken')
      expect(conflict.body.error.message).to.equal('A token named "race" already exists.')
    }
  })

  it('frees the name of a revoked token for reuse; names are per account', async () => {
    await createPat(server, session, {name: 'ci', scope: 'RW'})
    const other = (await signIn(server, await seedUser(server))).access_token
    await createPat(server, other, {name: 'ci', scope: 'RW'})
    expect((await request(server, 'DELETE', '/api/v1/auth/tokens/ci', {token: session})).status).to.equal(204)
    await createPat(server, session, {name: 'ci', scope: 'RO'})
  })

  it('revoking an unknown, already revoked or never-valid name is 404 not_found', async () => {
    await createPat(server, session, {name: 'once', scope: 'RW'})
    expect((await request(server, 'DELETE', '/api/v1/auth/tokens/once', {token: session})).status).to.equal(204)
    for (const name of ['once', 'missing', encodeURIComponent('-not/valid')]) {
      expectError(await request(server, 'DELETE', `/api/v1/auth/tokens/${name}`, {token: session}), 404, 'not_found')
    }
  })

  it('a revoked PAT gets 401 token_revoked on the very next request', async () => {
    const pat = await createPat(server, session, {name: 'ci', scope: 'RW'})
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: pat})).status).to.equal(200)
    await request(server, 'DELETE', '/api/v1/auth/tokens/ci', {token: session})
    const response = await request(server, 'GET', '/api/v1/auth/me', {token: pat})
    expectError(response, 401, 'token_revoked')
    expect(response.body.error.message).to.equal('This personal access token has been revoked.')
  })

  it('an expired PAT gets 401 token_expired and is listed as expired', async () => {
    const pat = await createPat(server, session, {name: 'ci', scope: 'RW', expires_in: '30d'})
    server.clock.setOffsetSeconds(30 * 86_400 - 1)
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: pat})).status).to.equal(200)
    server.clock.setOffsetSeconds(30 * 86_400)
    const response = await request(server, 'GET', '/api/v1/auth/me', {token: pat})
    expectError(response, 401, 'token_expired')
    expect(response.body.error.message).to.equal('This personal access token has expired.')
    // The session of beforeEach has long expired too.
    const laterSession = (await signIn(server, email)).access_token
    const [item] = (await request(server, 'GET', '/api/v1/auth/tokens', {token: laterSession})).body
    expect(item).to.include({name: 'ci', is_expired: true})
  })

  it('a PAT may list tokens but never create or revoke one (403 pat_not_allowed)', async () => {
    const pat = await createPat(server, session, {name: 'ci', scope: 'RW'})
    expect((await request(server, 'GET', '/api/v1/auth/tokens', {token: pat})).status).to.equal(200)
    expectError(await request(server, 'POST', '/api/v1/auth/tokens', {token: pat, json: {name: 'x', scope: 'RW'}}), 403, 'pat_not_allowed')
    expectError(await request(server, 'DELETE', '/api/v1/auth/tokens/ci', {token: pat}), 403, 'pat_not_allowed')
  })

  it('an org-restricted PAT still lists all tokens of its account', async () => {
    await createPat(server, session, {name: 'all', scope: 'RW'})
    const restricted = await createPat(server, session, {name: 'ops-only', scope: 'RO', org: 'ops'})
    const names = (await request(server, 'GET', '/api/v1/auth/tokens', {token: restricted})).body.map((item: {name: string}) => item.name)
    expect(names).to.deep.equal(['all', 'ops-only'])
  })

  it('records last use at most once a minute, with the client address', async () => {
    const pat = await createPat(server, session, {name: 'ci', scope: 'RW'})
    const lastUsed = async () => (await request(server, 'GET', '/api/v1/auth/tokens', {token: session})).body[0]
    await request(server, 'GET', '/api/v1/auth/me', {token: pat})
    const first = await lastUsed()
    expect(first.last_used_ip).to.equal('127.0.0.1')
    server.clock.setOffsetSeconds(59)
    await request(server, 'GET', '/api/v1/auth/me', {token: pat})
    expect((await lastUsed()).last_used_at).to.equal(first.last_used_at)
    server.clock.setOffsetSeconds(61)
    await request(server, 'GET', '/api/v1/auth/me', {token: pat})
    expect(Date.parse((await lastUsed()).last_used_at) - Date.parse(first.last_used_at)).to.be.greaterThanOrEqual(61_000)
  })

  it('sends NDCLI-Token-Expires-At for a PAT with an expiry only', async () => {
    const expiring = await createPat(server, session, {name: 'expiring', scope: 'RW', expires_in: '30d'})
    const forever = await createPat(server, session, {name: 'forever', scope: 'RW', expires_in: 'never'})
    const [item] = (await request(server, 'GET', '/api/v1/auth/tokens', {token: session})).body
    for (const path of ['/api/v1/auth/me', '/api/v1/auth/tokens', '/api/v1/organizations']) {
      expect((await request(server, 'GET', path, {token: expiring})).headers.get('ndcli-token-expires-at')).to.equal(item.expires_at)
      expect((await request(server, 'GET', path, {token: forever})).headers.has('ndcli-token-expires-at')).to.equal(false)
      expect((await request(server, 'GET', path, {token: session})).headers.has('ndcli-token-expires-at')).to.equal(false)
    }
  })
})
