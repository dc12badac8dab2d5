/**
 * Beyond api.md's first cut: rotating a token's secret with a grace window, showing one
 * token, and revoking a leaked value without a credential (POST /api/v1/credentials/revoke).
 */
import {expect} from 'chai'
import {generatePat, validatePat} from '@ndcli/core/pat'
import {backends, createPat, expectError, request, seedUser, signIn, startTestServer, type ApiResponse, type TestServer} from './helpers.js'

const DAY = 86_400

backends('token rotation, show and revocation by value', (backend) => {
  let server: TestServer
  let email: string
  let session: string

  beforeEach(async () => {
    server = await startTestServer(backend, {credentialRevokeLimit: 3})
    email = await seedUser(server, {ops: 'read-write'})
    session = (await signIn(server, email)).access_token
  })
  afterEach(() => server.close())

  const me = (token: string) => request(server, 'GET', '/api/v1/auth/me', {token})
  const rotate = (name: string, json?: unknown, token = session) => request(server, 'POST', `/api/v1/auth/tokens/${encodeURIComponent(name)}/rotate`, {token, json})
  const show = (name: string, token = session) => request(server, 'GET', `/api/v1/auth/tokens/${encodeURIComponent(name)}`, {token})
  const revokeByValue = (value: unknown) => request(server, 'POST', '/api/v1/credentials/revoke', {json: {token: value}})
  const listed = async () => (await request(server, 'GET', '/api/v1/auth/tokens', {token: session})).body as Array<Record<string, unknown>>

  describe('POST /api/v1/auth/tokens/{name}/rotate', () => {
    it('without grace: a new secret under the same name, scope and org, a fresh lifetime of the same length; the old secret is refused at once', async () => {
      const old = await createPat(server, session, {name: 'ci', scope: 'RO', org: 'ops', expires_in: '30d'})
      server.clock.setOffsetSeconds(600)
      const response = await rotate('ci')
      expect(response.status, response.text).to.equal(200)
      const {token, ...rest} = response.body
      expect(validatePat(token)).to.deep.equal({valid: true})
      expect(token).not.to.equal(old)
      const now = server.clock.now().getTime()
      expect(Date.parse(rest.created_at)).to.be.closeTo(now, 5000)
      expect(rest).to.deep.equal({
        name: 'ci',
        token_prefix: token.slice(0, 12),
        scope: 'RO',
        org: 'ops',
        expires_at: new Date(Date.parse(rest.created_at) + 30 * DAY * 1000).toISOString(),
        created_at: rest.created_at,
        allow_ips: null,
        previous_valid_until: null,
      })

      const refused = await me(old)
      expectError(refused, 401, 'token_revoked')
      expect(refused.body.error.message).to.match(/rotated/)
      expect((await me(token)).status).to.equal(200)
      expect(await listed()).to.have.length(1).and.to.have.nested.property('[0].token_prefix', token.slice(0, 12))
    })

    it('a token that never expires stays so', async () => {
      await createPat(server, session, {name: 'forever', scope: 'RW', expires_in: 'never'})
      expect((await rotate('forever', {})).body).to.include({expires_at: null})
    })

    it('with grace: both secrets work inside the window, only the new one after it', async () => {
      const old = await createPat(server, session, {name: 'ci', scope: 'RW'})
      const rotated = await rotate('ci', {grace_seconds: 120})
      const until = rotated.body.previous_valid_until
      expect(Date.parse(until) - Date.parse(rotated.body.created_at)).to.equal(120_000)

      server.clock.setOffsetSeconds(119)
      const inside = await me(old)
      expect(inside.status).to.equal(200)
      // The old secret lapses at the end of the window: that is what a client should warn about.
      expect(inside.headers.get('ndcli-token-expires-at')).to.equal(until)
      expect(inside.body.credential).to.include({name: 'ci', expires_at: until})
      expect((await me(rotated.body.token)).status).to.equal(200)
      expect((await show('ci')).body.previous_valid_until).to.equal(until)
      expect((await listed())[0]!.previous_valid_until).to.equal(until)

      server.clock.setOffsetSeconds(120)
      expectError(await me(old), 401, 'token_revoked')
      expect((await me(rotated.body.token)).status).to.equal(200)
      expect((await show('ci')).body.previous_valid_until).to.equal(null)
    })

    it('revoking the token ends the grace window too', async () => {
      const old = await createPat(server, session, {name: 'ci', scope: 'RW'})
      const {token} = (await rotate('ci', {grace_seconds: 3600})).body
      expect((await request(server, 'DELETE', '/api/v1/auth/tokens/ci', {token: session})).status).to.equal(204)
      for (const secret of [old, token]) expectError(await me(secret), 401, 'token_revoked')
    })

    it('a second rotation ends the first one’s window: only the secret just replaced is in grace', async () => {
      const first = await createPat(server, session, {name: 'ci', scope: 'RW'})
      const second = (await rotate('ci', {grace_seconds: 3600})).body.token
      const third = (await rotate('ci', {grace_seconds: 3600})).body.token
      expectError(await me(first), 401, 'invalid_token')
      expect((await me(second)).status).to.equal(200)
      expect((await me(third)).status).to.equal(200)
    })

    it('renews an expired token, but gives its expired secret no grace', async () => {
      const old = await createPat(server, session, {name: 'ci', scope: 'RW', expires_in: '30d'})
      server.clock.setOffsetSeconds(31 * DAY)
      session = (await signIn(server, email)).access_token
      const response = await rotate('ci', {grace_seconds: 3600})
      expect(response.body).to.include({previous_valid_until: null})
      expect(Date.parse(response.body.expires_at) - Date.parse(response.body.created_at)).to.equal(30 * DAY * 1000)
      expectError(await me(old), 401, 'token_revoked')
      expect((await me(response.body.token)).status).to.equal(200)
      expect((await show('ci')).body).to.include({is_expired: false, previous_valid_until: null})
    })

    it('refuses a PAT (403 pat_not_allowed) and unknown or never-valid names (404)', async () => {
      const pat = await createPat(server, session, {name: 'ci', scope: 'RW'})
      expectError(await rotate('ci', {}, pat), 403, 'pat_not_allowed')
      for (const name of ['missing', '-not/valid']) expectError(await rotate(name), 404, 'not_found')
      // Nothing changed: the PAT still works.
      expect((await me(pat)).status).to.equal(200)
    })

    const badGrace: Array<[string, unknown, RegExp]> = [
      ['negative', {grace_seconds: -1}, /^grace_seconds must be a whole number of seconds from 0 to 86400 \(24 hours\)$/],
      ['over 24 hours', {grace_seconds: DAY + 1}, /^grace_seconds must be a whole number of seconds from 0 to 86400/],
      ['fractional', {grace_seconds: 1.5}, /^grace_seconds must be a whole number/],
      ['a duration string', {grace_seconds: '2m'}, /^grace_seconds must be a whole number/],
      ['an unknown field', {grace: 120}, /^Unknown field "grace": the allowed fields are grace_seconds$/],
    ]
    for (const [label, body, message] of badGrace) {
      it(`refuses a grace that is ${label} (400 invalid_input), rotating nothing`, async () => {
        const pat = await createPat(server, session, {name: 'ci', scope: 'RW'})
        const response = await rotate('ci', body)
        expectError(response, 400, 'invalid_input')
        expect(response.body.error.message).to.match(message)
        expect((await me(pat)).status).to.equal(200)
      })
    }

    it('applies a rotation only to the secret it read (compare-and-set): a stale one changes nothing', async () => {
      await createPat(server, session, {name: 'ci', scope: 'RW'})
      const user = await server.store.findUserByEmail(email)
      const token = await server.store.findLivePersonalAccessToken(user!.id, 'ci')
      const stale = {tokenId: token!.id, currentDigest: 'not-the-current-digest', nextDigest: 'x', nextPrefix: 'ndpat_xxxxxx', createdAt: '2030-01-01T00:00:00.000Z', expiresAt: null, previousValidUntil: null}
      expect(await server.store.rotatePersonalAccessToken(stale)).to.equal(false)
      expect(await server.store.rotatePersonalAccessToken({...stale, currentDigest: token!.tokenDigest})).to.equal(true)
    })
  })

  describe('parallel rotations of one token', () => {
    it('are applied one after another on both back ends: ten 200s with ten distinct secrets, the last applied one current', async () => {
      const original = await createPat(server, session, {name: 'ci', scope: 'RW'})
      const responses = await Promise.all(Array.from({length: 10}, () => rotate('ci', {grace_seconds: 60})))
      const statuses = responses.map((response) => response.status)
      const secrets = responses.map((response) => response.body.token as string)
      const working: string[] = []
      for (const secret of [original, ...secrets]) if ((await me(secret)).status === 200) working.push(secret)
      const [item] = await listed()
      console.log(
        `      [${backend}] 10 parallel rotations: ${statuses.filter((status) => status === 200).length} × 200, ${statuses.filter((status) => status === 409).length} × 409; ` +
          `${new Set(secrets).size} distinct secrets; ${working.length} of the 11 secrets work afterwards`,
      )
      expect(statuses).to.deep.equal(Array<number>(10).fill(200))
      expect(new Set(secrets).size).to.equal(10)
      // The current secret (the one listed) and the one it replaced, in its grace window.
      expect(working).to.have.length(2)
      expect(working.map((secret) => secret.slice(0, 12))).to.include(item!.token_prefix)
    })
  })

  describe('names with a trailing space, from before the rule', () => {
    it('are refused for new tokens, but one that exists can still be shown, rotated and revoked', async () => {
      expectError(await request(server, 'POST', '/api/v1/auth/tokens', {token: session, json: {name: 'legacy ', scope: 'RO'}}), 400, 'invalid_input')
      const user = await server.store.findUserByEmail(email)
      const createdAt = server.clock.now().toISOString()
      await server.store.createPersonalAccessToken({userId: user!.id, name: 'legacy ', tokenDigest: 'legacy-digest', tokenPrefix: 'ndpat_legacy', scope: 'RO', orgId: null, expiresAt: null, createdAt})
      expect((await show('legacy ')).status).to.equal(200)
      expect((await rotate('legacy ')).status).to.equal(200)
      expect((await request(server, 'DELETE', `/api/v1/auth/tokens/${encodeURIComponent('legacy ')}`, {token: session})).status).to.equal(204)
    })
  })

  describe('GET /api/v1/auth/tokens/{name}', () => {
    it('answers the list item of one token, to a session or a PAT', async () => {
      const pat = await createPat(server, session, {name: 'deploy bot', scope: 'RO', org: 'ops'})
      for (const credential of [session, pat]) {
        const response = await show('deploy bot', credential)
        expect(response.status).to.equal(200)
        // Listed afterwards: showing with the PAT records its use, in both.
        expect(response.body).to.deep.equal((await listed())[0])
        expect(response.text).not.to.include(pat)
      }
    })

    it('is 404 for an unknown, revoked or never-valid name', async () => {
      await createPat(server, session, {name: 'gone', scope: 'RW'})
      await request(server, 'DELETE', '/api/v1/auth/tokens/gone', {token: session})
      for (const name of ['gone', 'missing', '-not/valid']) expectError(await show(name), 404, 'not_found')
    })
  })

  describe('POST /api/v1/credentials/revoke', () => {
    const expectAccepted = (response: ApiResponse) => {
      expect(response.status, response.text).to.equal(202)
      expect(response.text).to.equal('')
    }

    it('revokes the token a live secret belongs to, without any credential; the owner no longer lists it', async () => {
      const leaked = await createPat(server, session, {name: 'leaked', scope: 'RW'})
      await createPat(server, session, {name: 'kept', scope: 'RW'})
      expectAccepted(await revokeByValue(leaked))
      expectError(await me(leaked), 401, 'token_revoked')
      expect((await listed()).map((item) => item.name)).to.deep.equal(['kept'])
      expectError(await show('leaked'), 404, 'not_found')
    })

    it('answers exactly the same for a well-formed value that names no token, and for one already revoked', async () => {
      const leaked = await createPat(server, session, {name: 'leaked', scope: 'RW'})
      const answers = [await revokeByValue(leaked), await revokeByValue(leaked), await revokeByValue(generatePat())]
      const shape = (response: ApiResponse) => [response.status, response.text, response.headers.get('content-type'), response.headers.get('content-length')]
      expect(answers.map(shape)).to.deep.equal(Array(3).fill(shape(answers[0]!)))
    })

    it('the previous secret of a rotation ends its grace window only: the new secret keeps working', async () => {
      const old = await createPat(server, session, {name: 'ci', scope: 'RW'})
      const {token} = (await rotate('ci', {grace_seconds: 3600})).body
      expectAccepted(await revokeByValue(old))
      expectError(await me(old), 401, 'token_revoked')
      expect((await me(token)).status).to.equal(200)
      expect((await show('ci')).body.previous_valid_until).to.equal(null)
    })

    const malformed: Array<[string, unknown, RegExp]> = [
      ['a truncated token', generatePat().slice(0, -3), /^token is not a well-formed personal access token: it looks truncated: 40 of 43/],
      ['a mistyped token', generatePat().replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), /^token is not a well-formed .*checksum/],
      ['not a string', 42, /^token must be a personal access token/],
    ]
    for (const [label, value, message] of malformed) {
      it(`refuses ${label} with 400 invalid_input, never echoing the value`, async () => {
        const response = await revokeByValue(value)
        expectError(response, 400, 'invalid_input')
        expect(response.body.error.message).to.match(message)
        expect(response.text).not.to.include(String(value))
      })
    }

    it('limits every address to credentialRevokeLimit requests a minute: then 429 with Retry-After, valid or not', async () => {
      for (let i = 0; i < 3; i++) expectAccepted(await revokeByValue(generatePat()))
      const limited = await revokeByValue(generatePat())
      expectError(limited, 429, 'rate_limited')
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60)
      expectError(await revokeByValue('garbage'), 429, 'rate_limited')
      server.clock.setOffsetSeconds(60)
      expectAccepted(await revokeByValue(generatePat()))
    })

    it('never stores or logs the presented value', async () => {
      const leaked = await createPat(server, session, {name: 'leaked', scope: 'RW'})
      const unknown = generatePat()
      await revokeByValue(leaked)
      await revokeByValue(unknown)
      const everything = (await server.database.dump()) + server.logs.join('\n')
      for (const secret of [leaked, unknown]) expect(everything).not.to.include(secret)
    })
  })
})
