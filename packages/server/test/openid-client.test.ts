/**
 * Interoperability: a well-known third-party OAuth client (openid-client v6, built on oauth4webapi)
 * runs the whole sign-in against the real server over loopback HTTP, as any standard RFC 8628
 * client would. Nothing of ours is used on the client side except the /activate form submission,
 * which is what a person does in the browser.
 */
import {expect} from 'chai'
import * as client from 'openid-client'
import {backends, DEVICE_GRANT, request, seedUser, startTestServer, submitActivate, type TestServer} from './helpers.js'

/** What a poll of the token endpoint was answered: its OAuth error code, or "tokens". */
async function outcomeOf(response: Response): Promise<string> {
  if (response.status === 200) return 'tokens'
  const body = (await response.clone().json()) as {error?: string}
  return String(body.error)
}

backends('interoperability with openid-client (discovery, device grant, refresh, revocation)', (backend) => {
  let server: TestServer
  let email: string

  beforeEach(async () => {
    // An interval of 1 s keeps the test short; slow_down then adds RFC 8628's 5 s once.
    server = await startTestServer(backend, {deviceIntervalSeconds: 1})
    email = await seedUser(server)
  })
  afterEach(() => server.close())

  it('discovers the server, polls through authorization_pending and slow_down, refreshes and revokes', async function () {
    this.timeout(40_000)
    const seen: string[] = []
    let devicePolls = 0
    /**
     * The library waits its interval before each poll, so it alone never polls too soon. A retrying
     * network in between can: the second poll is delivered twice, and the copy that arrives second is
     * answered slow_down by the server for real (the library then has to add 5 s to its interval).
     */
    const fetchForLibrary: client.CustomFetch = async (url, options) => {
      const body = typeof options.body === 'string' ? options.body : options.body instanceof URLSearchParams ? options.body.toString() : ''
      const isDevicePoll = url.endsWith('/oauth/token') && new URLSearchParams(body).get('grant_type') === DEVICE_GRANT
      if (isDevicePoll && ++devicePolls === 2) {
        const duplicate = await fetch(url, {method: options.method, headers: options.headers, body})
        seen.push(`duplicate:${await outcomeOf(duplicate)}`)
      }
      const response = await fetch(url, {method: options.method, headers: options.headers, body: options.body, redirect: options.redirect})
      if (isDevicePoll) seen.push(await outcomeOf(response))
      return response
    }

    // RFC 8414 discovery: the library reads /.well-known/oauth-authorization-server and checks the issuer.
    const config = await client.discovery(new URL(server.url), 'ndcli', undefined, client.None(), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
      [client.customFetch]: fetchForLibrary,
    })
    config[client.customFetch] = fetchForLibrary
    const metadata = config.serverMetadata()
    expect(metadata.issuer).to.equal(server.url)
    expect(metadata.device_authorization_endpoint).to.equal(`${server.url}/oauth/device/code`)

    const authorization = await client.initiateDeviceAuthorization(config, {})
    expect(authorization.verification_uri).to.equal(`${server.url}/activate`)
    expect(authorization.interval).to.equal(1)

    const started = Date.now()
    const polling = client.pollDeviceAuthorizationGrant(config, authorization)
    // The person approves in the browser once the library has been told to slow down.
    while (!seen.includes('slow_down')) {
      if (Date.now() - started > 15_000) throw new Error(`no slow_down seen: ${seen.join(', ')}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const approval = await submitActivate(server, {userCode: authorization.user_code, email})
    expect(approval.status, approval.text).to.equal(200)
    const tokens = await polling
    const waited = (Date.now() - started) / 1000
    console.log(`      [${backend}] openid-client polls: ${seen.join(', ')} (${waited.toFixed(1)} s)`)
    expect(seen.slice(0, 3)).to.deep.equal(['authorization_pending', 'duplicate:authorization_pending', 'slow_down'])
    expect(seen.at(-1)).to.equal('tokens')
    // The library honoured slow_down: its next poll came after the longer interval (1 + 5 s).
    expect(waited).to.be.at.least(7)
    expect(tokens.token_type).to.equal('bearer')
    expect(tokens.expires_in).to.be.a('number')
    const me = await request(server, 'GET', '/api/v1/auth/me', {token: tokens.access_token})
    expect(me.status, me.text).to.equal(200)
    expect(me.body).to.include({email})

    // Refresh: new tokens that work; the old access token no longer does.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    expect(refreshed.refresh_token).to.be.a('string').and.not.equal(tokens.refresh_token)
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: refreshed.access_token})).status).to.equal(200)
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: tokens.access_token})).status).to.equal(401)

    // RFC 7009 revocation of the refresh token ends the session: neither token works afterwards.
    await client.tokenRevocation(config, refreshed.refresh_token!, {token_type_hint: 'refresh_token'})
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: refreshed.access_token})).status).to.equal(401)
    const afterRevocation = await client.refreshTokenGrant(config, refreshed.refresh_token!).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(afterRevocation).to.be.instanceOf(client.ResponseBodyError)
    expect(afterRevocation).to.include({error: 'invalid_grant', status: 400})
  })

  it('the library reads our errors as RFC 6749 errors: an unknown client and an unknown device code', async () => {
    const config = await client.discovery(new URL(server.url), 'not-ndcli', undefined, client.None(), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    })
    const unknownClient = await client.initiateDeviceAuthorization(config, {}).catch((error: unknown) => error)
    expect(unknownClient).to.be.instanceOf(client.ResponseBodyError)
    expect(unknownClient).to.include({error: 'invalid_client'})

    const ours = await client.discovery(new URL(server.url), 'ndcli', undefined, client.None(), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    })
    const forged = await client
      .pollDeviceAuthorizationGrant(ours, {device_code: 'forged', user_code: 'AAAA-AAAA', verification_uri: `${server.url}/activate`, expires_in: 30, interval: 0})
      .catch((error: unknown) => error)
    expect(forged).to.be.instanceOf(client.ResponseBodyError)
    expect(forged).to.include({error: 'invalid_grant', status: 400})
  })
})
