import {expect} from 'chai'
import type {Role} from '../src/db/index.js'
import {backends, createPat, expectError, request, seedUser, signIn, startTestServer, type TestServer} from './helpers.js'

backends('organizations and permissions', (backend) => {
  let server: TestServer
  let session: string

  before(async () => {
    server = await startTestServer(backend)
    const email = await seedUser(server, {ops: 'superuser', dev: 'read-write', audit: 'read-only'})
    await seedUser(server, {finance: 'superuser'})
    session = (await signIn(server, email)).access_token
  })
  after(() => server.close())

  const patch = (slug: string, token: string, description = 'changed') =>
    request(server, 'PATCH', `/api/v1/organizations/${slug}`, {token, json: {description}})

  it('lists the organizations of the caller with the caller role', async () => {
    const response = await request(server, 'GET', '/api/v1/organizations', {token: session})
    expect(response.status).to.equal(200)
    expect(response.body.map((org: {slug: string; role: Role}) => [org.slug, org.role])).to.deep.equal([
      ['audit', 'read-only'],
      ['dev', 'read-write'],
      ['ops', 'superuser'],
    ])
    expect(Object.keys(response.body[0])).to.deep.equal(['slug', 'name', 'description', 'role', 'created_at', 'unreachable_reason'])
  })

  it('shows and updates one organization', async () => {
    const updated = await patch('ops', session, 'Operations team')
    expect(updated.status).to.equal(200)
    expect(updated.body).to.include({slug: 'ops', name: 'ops', description: 'Operations team', role: 'superuser'})
    expect((await request(server, 'GET', '/api/v1/organizations/ops', {token: session})).body.description).to.equal('Operations team')
  })

  // Effective permission = the lower of the token scope and the role.
  const writeCases: Array<{credential: 'session' | 'RW' | 'RO'; org: string; status: number; code?: string}> = [
    {credential: 'session', org: 'ops', status: 200},
    {credential: 'session', org: 'dev', status: 200},
    {credential: 'session', org: 'audit', status: 403, code: 'insufficient_scope'},
    {credential: 'RW', org: 'dev', status: 200},
    {credential: 'RW', org: 'audit', status: 403, code: 'insufficient_scope'},
    {credential: 'RO', org: 'ops', status: 403, code: 'insufficient_scope'},
    {credential: 'RO', org: 'dev', status: 403, code: 'insufficient_scope'},
  ]
  for (const {credential, org, status, code} of writeCases) {
    it(`PATCH with ${credential === 'session' ? 'a session' : `an ${credential} PAT`} in "${org}" → ${status} ${code ?? ''}`, async () => {
      const token = credential === 'session' ? session : await createPat(server, session, {name: `w-${credential}-${org}`, scope: credential})
      const response = await patch(org, token)
      if (code) expectError(response, status, code)
      else expect(response.status, response.text).to.equal(status)
    })
  }

  it('an RO PAT can still read', async () => {
    const token = await createPat(server, session, {name: 'reader', scope: 'RO'})
    expect((await request(server, 'GET', '/api/v1/organizations/ops', {token})).status).to.equal(200)
  })

  it('an org-restricted PAT sees only its organization and gets 403 org_restricted elsewhere', async () => {
    const token = await createPat(server, session, {name: 'dev-only', scope: 'RW', org: 'dev'})
    const list = await request(server, 'GET', '/api/v1/organizations', {token})
    expect(list.body.map((org: {slug: string}) => org.slug)).to.deep.equal(['dev'])
    const me = await request(server, 'GET', '/api/v1/auth/me', {token})
    expect(me.body.organizations).to.deep.equal([{slug: 'dev', role: 'read-write'}])
    expect((await patch('dev', token)).status).to.equal(200)
    expectError(await request(server, 'GET', '/api/v1/organizations/ops', {token}), 403, 'org_restricted')
    expectError(await patch('ops', token), 403, 'org_restricted')
  })

  it('a non-member gets 403 not_a_member; an unknown slug 404 not_found', async () => {
    expectError(await request(server, 'GET', '/api/v1/organizations/finance', {token: session}), 403, 'not_a_member')
    expectError(await patch('finance', session), 403, 'not_a_member')
    expectError(await request(server, 'GET', '/api/v1/organizations/nowhere', {token: session}), 404, 'not_found')
  })

  it('validates the PATCH body', async () => {
    expectError(await request(server, 'PATCH', '/api/v1/organizations/ops', {token: session, json: {name: 'x'}}), 400, 'invalid_input')
    const tooLong = await patch('ops', session, 'x'.repeat(1001))
    expectError(tooLong, 400, 'invalid_input')
    expect(tooLong.body.error.message).to.equal('description must be a string of at most 1000 characters, or null to clear it')
  })

  it('GET /api/v1/auth/me describes the caller and the credential', async () => {
    const me = await request(server, 'GET', '/api/v1/auth/me', {token: session})
    expect(me.body).to.deep.include({credential: {type: 'session'}})
    expect(me.body.organizations).to.have.length(3)
    const token = await createPat(server, session, {name: 'me-check', scope: 'ro', org: 'ops', expires_in: 'never'})
    const viaPat = await request(server, 'GET', '/api/v1/auth/me', {token})
    expect(viaPat.body.email).to.equal(me.body.email)
    expect(viaPat.body.credential).to.deep.equal({type: 'pat', name: 'me-check', scope: 'RO', org: 'ops', expires_at: null})
  })
})
