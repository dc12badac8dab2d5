import {expect} from 'chai'
import {
  backends,
  DEVICE_GRANT,
  expectError,
  expectOAuthError,
  openActivatePage,
  pollToken,
  request,
  seedUser,
  signIn,
  startDeviceFlow,
  startTestServer,
  submitActivate,
  type TestServer,
} from './helpers.js'

backends('device authorization grant (RFC 8628) and the /activate page', (backend) => {
  let server: TestServer
  let email: string

  beforeEach(async () => {
    server = await startTestServer(backend, {deviceCodeTtlSeconds: 600, accessTokenTtlSeconds: 3600})
    email = await seedUser(server)
  })
  afterEach(() => server.close())

  it('issues a device code with an 8-letter user code and the verification URIs', async () => {
    const response = await request(server, 'POST', '/oauth/device/code', {form: {client_id: 'ndcli'}})
    expect(response.status).to.equal(200)
    expect(response.body.user_code).to.match(/^[A-Z]{4}-[A-Z]{4}$/)
    expect(response.body).to.include({
      verification_uri: `${server.url}/activate`,
      verification_uri_complete: `${server.url}/activate?user_code=${response.body.user_code}`,
      expires_in: 600,
      interval: 1,
    })
    expect(response.body.device_code).to.be.a('string').with.length.greaterThan(40)
  })

  it('pending → approve on /activate → tokens that authenticate; the code works once', async () => {
    const {device_code, user_code} = await startDeviceFlow(server)
    expectOAuthError(await pollToken(server, device_code), 400, 'authorization_pending')
    const approval = await submitActivate(server, {userCode: user_code.toLowerCase().replace('-', ' '), email: email.toUpperCase()})
    expect(approval.status).to.equal(200)
    expect(approval.text).to.include('Device approved')
    server.clock.setOffsetSeconds(1)
    const tokens = await pollToken(server, device_code)
    expect(tokens.status, tokens.text).to.equal(200)
    expect(tokens.body).to.include({token_type: 'Bearer', expires_in: 3600})
    const me = await request(server, 'GET', '/api/v1/auth/me', {token: tokens.body.access_token})
    expect(me.body).to.include({email})
    expectOAuthError(await pollToken(server, device_code), 400, 'invalid_grant')
  })

  it('deny → access_denied', async () => {
    const {device_code, user_code} = await startDeviceFlow(server)
    const denial = await submitActivate(server, {userCode: user_code, email, action: 'deny'})
    expect(denial.status).to.equal(200)
    expect(denial.text).to.include('Device denied')
    expectOAuthError(await pollToken(server, device_code), 400, 'access_denied')
  })

  it('an expired code: 400 on the page and expired_token when polling', async () => {
    const {device_code, user_code} = await startDeviceFlow(server)
    server.clock.setOffsetSeconds(600)
    const page = await submitActivate(server, {userCode: user_code, email})
    expect(page.status).to.equal(400)
    expect(page.text).to.include('unknown or has expired')
    expectOAuthError(await pollToken(server, device_code), 400, 'expired_token')
  })

  it('an unknown code is 400 with the form again', async () => {
    const page = await submitActivate(server, {userCode: 'BBBB-CCCC', email})
    expect(page.status).to.equal(400)
    expect(page.text).to.include('name="csrf_token"')
  })

  it('a wrong password is 401 with an error and the form again; the device stays pending', async () => {
    const {device_code, user_code} = await startDeviceFlow(server)
    const page = await submitActivate(server, {userCode: user_code, email, password: 'wrong'})
    expect(page.status).to.equal(401)
    expect(page.text).to.include('Incorrect email or password.').and.include(`value="${user_code}"`).and.include(`value="${email}"`)
    expect(page.text).not.to.include('value="wrong"')
    expect((await submitActivate(server, {userCode: user_code, email: 'nobody@example.com'})).status).to.equal(401)
    expectOAuthError(await pollToken(server, device_code), 400, 'authorization_pending')
  })

  const csrfCases: Array<[string, (page: {csrfToken: string; cookie: string}) => {csrfToken?: string; cookie?: string}]> = [
    ['a form token that does not match the cookie', (page) => ({csrfToken: page.csrfToken + 'x', cookie: page.cookie})],
    ['no cookie', (page) => ({csrfToken: page.csrfToken, cookie: 'other=1'})],
    ['an empty form token', (page) => ({csrfToken: '', cookie: page.cookie})],
  ]
  for (const [label, tamper] of csrfCases) {
    it(`a bad CSRF token (${label}) is 403 and decides nothing`, async () => {
      const {device_code, user_code} = await startDeviceFlow(server)
      const page = await openActivatePage(server)
      const response = await submitActivate(server, {userCode: user_code, email, ...tamper(page)})
      expect(response.status).to.equal(403)
      expectOAuthError(await pollToken(server, device_code), 400, 'authorization_pending')
    })
  }

  it('a missing action is 400', async () => {
    const {user_code} = await startDeviceFlow(server)
    expect((await submitActivate(server, {userCode: user_code, email, action: 'maybe'})).status).to.equal(400)
  })

  it('slow_down when polling faster than the interval, which then grows by 5 seconds', async () => {
    const {device_code} = await startDeviceFlow(server)
    expectOAuthError(await pollToken(server, device_code), 400, 'authorization_pending')
    const tooSoon = await pollToken(server, device_code)
    expectOAuthError(tooSoon, 400, 'slow_down')
    expect(tooSoon.body.error_description).to.include('6 seconds')
    server.clock.setOffsetSeconds(5)
    expectOAuthError(await pollToken(server, device_code), 400, 'slow_down')
    server.clock.setOffsetSeconds(5 + 11)
    expectOAuthError(await pollToken(server, device_code), 400, 'authorization_pending')
  })

  it('refresh rotates both tokens: the old refresh token no longer works', async () => {
    const first = await signIn(server, email)
    const refreshed = await request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: first.refresh_token}})
    expect(refreshed.status, refreshed.text).to.equal(200)
    expect(refreshed.body.refresh_token).not.to.equal(first.refresh_token)
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: refreshed.body.access_token})).status).to.equal(200)
    expectError(await request(server, 'GET', '/api/v1/auth/me', {token: first.access_token}), 401, 'invalid_token')
    const reused = await request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: first.refresh_token}})
    expectOAuthError(reused, 400, 'invalid_grant')
  })

  it('replaying a rotated refresh token (RFC 9700 §4.14.2) is invalid_grant and ends the session, newer tokens too', async () => {
    const first = await signIn(server, email)
    const other = await signIn(server, email)
    const refresh = (refreshToken: string) => request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: refreshToken}})
    const second = (await refresh(first.refresh_token)).body
    const third = (await refresh(second.refresh_token)).body
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: third.access_token})).status).to.equal(200)

    const replay = await refresh(first.refresh_token)
    expectOAuthError(replay, 400, 'invalid_grant')
    expect(replay.body.error_description).to.include('already used')
    expectError(await request(server, 'GET', '/api/v1/auth/me', {token: third.access_token}), 401, 'invalid_token')
    expectOAuthError(await refresh(third.refresh_token), 400, 'invalid_grant')
    // Only that session: another sign-in of the same account goes on.
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: other.access_token})).status).to.equal(200)
    expect(server.logs.join('\n')).to.include('a rotated refresh token was presented again')
    expect(server.logs.join('\n')).not.to.include(first.refresh_token)
  })

  it('two refreshes racing with one refresh token: at most one succeeds, and the session ends', async () => {
    const tokens = await signIn(server, email)
    const answers = await Promise.all(
      Array.from({length: 5}, () => request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: tokens.refresh_token}})),
    )
    const succeeded = answers.filter((answer) => answer.status === 200)
    console.log(`      [${backend}] racing refreshes: 5 sent, ${succeeded.length} succeeded, ${5 - succeeded.length} refused`)
    expect(succeeded.length).to.be.at.most(1)
    for (const answer of answers) if (answer.status !== 200) expectOAuthError(answer, 400, 'invalid_grant')
    for (const answer of succeeded) {
      expectError(await request(server, 'GET', '/api/v1/auth/me', {token: answer.body.access_token}), 401, 'invalid_token')
    }
  })

  it('revoking a retired refresh token ends its session too', async () => {
    const first = await signIn(server, email)
    const second = (await request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: first.refresh_token}})).body
    expect((await request(server, 'POST', '/oauth/revoke', {form: {token: first.refresh_token}})).status).to.equal(200)
    expectError(await request(server, 'GET', '/api/v1/auth/me', {token: second.access_token}), 401, 'invalid_token')
  })

  it('an access token past its lifetime is 401 token_expired, and refreshing renews it', async () => {
    const tokens = await signIn(server, email)
    server.clock.setOffsetSeconds(3600)
    const expired = await request(server, 'GET', '/api/v1/auth/me', {token: tokens.access_token})
    expectError(expired, 401, 'token_expired')
    expect(expired.body.error.message).to.equal('Your session has expired.')
    const refreshed = await request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: tokens.refresh_token}})
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: refreshed.body.access_token})).status).to.equal(200)
  })

  it('/oauth/revoke ends the session: its access token gets 401; unknown tokens are still 200', async () => {
    const tokens = await signIn(server, email)
    expect((await request(server, 'POST', '/oauth/revoke', {form: {token: tokens.access_token}})).status).to.equal(200)
    expectError(await request(server, 'GET', '/api/v1/auth/me', {token: tokens.access_token}), 401, 'invalid_token')
    const refresh = await request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: tokens.refresh_token}})
    expectOAuthError(refresh, 400, 'invalid_grant')
    expect((await request(server, 'POST', '/oauth/revoke', {form: {token: 'unknown'}})).status).to.equal(200)
  })

  const oauthErrors: Array<[string, string, Record<string, string>, string]> = [
    ['device code without client_id', '/oauth/device/code', {}, 'invalid_request'],
    ['device code for another client', '/oauth/device/code', {client_id: 'other'}, 'invalid_client'],
    ['token without grant_type', '/oauth/token', {}, 'invalid_request'],
    ['token with an unknown grant_type', '/oauth/token', {grant_type: 'password'}, 'unsupported_grant_type'],
    ['device grant without device_code', '/oauth/token', {grant_type: DEVICE_GRANT}, 'invalid_request'],
    ['device grant with an unknown device_code', '/oauth/token', {grant_type: DEVICE_GRANT, device_code: 'nope'}, 'invalid_grant'],
    ['refresh without refresh_token', '/oauth/token', {grant_type: 'refresh_token'}, 'invalid_request'],
    ['revoke without token', '/oauth/revoke', {}, 'invalid_request'],
  ]
  for (const [label, path, form, code] of oauthErrors) {
    it(`${label} → 400 ${code} in the RFC 6749 §5.2 shape`, async () => {
      expectOAuthError(await request(server, 'POST', path, {form}), 400, code)
    })
  }

  it('RFC 8414 metadata names the issuer, the three endpoints, the grants and public clients', async () => {
    const response = await request(server, 'GET', '/.well-known/oauth-authorization-server')
    expect(response.status, response.text).to.equal(200)
    expect(response.body).to.deep.equal({
      issuer: server.url,
      device_authorization_endpoint: `${server.url}/oauth/device/code`,
      token_endpoint: `${server.url}/oauth/token`,
      revocation_endpoint: `${server.url}/oauth/revoke`,
      grant_types_supported: [DEVICE_GRANT, 'refresh_token'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
    })
  })

  it('errors found before the route (415, 413) are RFC 6749 §5.2 invalid_request on /oauth/*, the envelope on /api/v1', async () => {
    const wrongType = await request(server, 'POST', '/oauth/token', {body: 'grant_type=refresh_token', headers: {'content-type': 'text/plain'}})
    expectOAuthError(wrongType, 415, 'invalid_request')
    const tooLarge = await request(server, 'POST', '/oauth/device/code', {form: {client_id: 'ndcli', scope: 's'.repeat(17 * 1024)}})
    expectOAuthError(tooLarge, 413, 'invalid_request')
    expectError(await request(server, 'GET', '/api/v1/auth/me', {token: 'nope'}), 401, 'invalid_token')
  })

  it('a repeated OAuth parameter is invalid_request', async () => {
    const response = await request(server, 'POST', '/oauth/token', {
      body: 'grant_type=refresh_token&refresh_token=a&refresh_token=b',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
    })
    expectOAuthError(response, 400, 'invalid_request')
  })

  it('the page: pre-filled code, viewport, inline style only, no script, escaped values, strict CSP', async () => {
    const page = await openActivatePage(server, '?user_code=abcdefgh')
    expect(page.html).to.include('value="ABCD-EFGH"').and.include('<meta name="viewport"')
    expect(page.html).to.include('name="action" value="approve"').and.include('name="action" value="deny"')
    expect(page.html).not.to.match(/<script|<link|src=|https?:\/\//)
    const hostile = await openActivatePage(server, `?user_code=${encodeURIComponent('"><script>x</script>')}`)
    expect(hostile.html).not.to.include('<script>')
    const response = await fetch(`${server.url}/activate`)
    expect(response.headers.get('content-type')).to.equal('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).to.match(/default-src 'none'; style-src 'sha256-[^']+'; form-action 'self'/)
    expect(response.headers.getSetCookie()[0]).to.match(/^ndcli_csrf=[^;]+; Path=\/activate; HttpOnly; SameSite=Strict$/)
  })
})
