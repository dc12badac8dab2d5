import {expect} from 'chai'
import {
  backends,
  expectOAuthError,
  openActivatePage,
  PASSWORD,
  pollToken,
  request,
  seedUser,
  startDeviceFlow,
  startTestServer,
  submitActivate,
  type TestServer,
} from './helpers.js'

backends('the sign-in form: CSRF tokens bound to the server, cross-site posts refused', (backend) => {
  let server: TestServer
  let email: string

  beforeEach(async () => {
    server = await startTestServer(backend, {deviceCodeTtlSeconds: 600})
    email = await seedUser(server)
  })
  afterEach(() => server.close())

  /** POSTs the form for a fresh device code with the given cookie, token and headers; returns the answer and whether the code is still pending. */
  async function post(fields: {cookie: string; csrfToken: string; userCode?: string; headers?: Record<string, string>}) {
    const {device_code, user_code} = await startDeviceFlow(server)
    const response = await request(server, 'POST', '/activate', {
      headers: {cookie: fields.cookie, ...fields.headers},
      form: {user_code: fields.userCode ?? user_code, email, password: PASSWORD, csrf_token: fields.csrfToken, action: 'approve'},
    })
    const poll = await pollToken(server, device_code)
    return {response, stillPending: poll.status === 400 && poll.body.error === 'authorization_pending'}
  }

  const forgeries: Array<[string, string, string]> = [
    ['a cookie and a field set to the same value', 'ndcli_csrf=attacker-chosen', 'attacker-chosen'],
    ['a field shaped like a token with a made-up MAC', 'ndcli_csrf=attacker-chosen', `${Math.floor(Date.now() / 1000)}.${'A'.repeat(43)}`],
  ]
  for (const [label, cookie, csrfToken] of forgeries) {
    it(`refuses a forgery: ${label} (403, nothing decided)`, async () => {
      const {response, stillPending} = await post({cookie, csrfToken})
      expect(response.status).to.equal(403)
      expect(response.text).to.include('This form expired or did not come from this page')
      expect(stillPending).to.equal(true)
    })
  }

  it("refuses one form's token with another form's cookie", async () => {
    const first = await openActivatePage(server)
    const second = await openActivatePage(server)
    expect(first.cookie).not.to.equal(`ndcli_csrf=${first.csrfToken}`)
    expect((await post({cookie: second.cookie, csrfToken: first.csrfToken})).response.status).to.equal(403)
    const {response, stillPending} = await post({cookie: first.cookie, csrfToken: first.csrfToken})
    expect(response.status, response.text).to.equal(200)
    expect(stillPending).to.equal(false)
  })

  it('a form rendered for a code approves only that code; a blank form takes the code typed in', async () => {
    const {device_code, user_code} = await startDeviceFlow(server)
    const other = await startDeviceFlow(server)
    const forOther = await openActivatePage(server, `?user_code=${other.user_code}`)
    const misused = await post({cookie: forOther.cookie, csrfToken: forOther.csrfToken, userCode: user_code})
    expect(misused.response.status).to.equal(403)
    // The page shown again is bound to the code now in the field: submitting it works.
    const again = /name="csrf_token" value="([^"]+)"/.exec(misused.response.text)![1]!
    const cookie = misused.response.headers.getSetCookie()[0]!.split(';')[0]!
    const retried = await request(server, 'POST', '/activate', {
      headers: {cookie},
      form: {user_code, email, password: PASSWORD, csrf_token: again, action: 'approve'},
    })
    expect(retried.status, retried.text).to.equal(200)
    expect((await pollToken(server, device_code)).status).to.equal(200)
    expect((await submitActivate(server, {userCode: other.user_code, email})).status).to.equal(200)
  })

  it('a form older than a device code lives is refused', async () => {
    const page = await openActivatePage(server)
    server.clock.setOffsetSeconds(601)
    expect((await post({cookie: page.cookie, csrfToken: page.csrfToken})).response.status).to.equal(403)
  })

  const crossSite: Array<[string, Record<string, string>]> = [
    ['Origin of another site', {origin: 'https://evil.example'}],
    ['Origin of another port', {origin: 'http://127.0.0.1:1'}],
    ['Sec-Fetch-Site: cross-site', {'sec-fetch-site': 'cross-site'}],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', {'sec-fetch-site': 'same-site', origin: 'null'}],
  ]
  for (const [label, headers] of crossSite) {
    it(`refuses a POST with ${label} even with a valid token: 403, a plain page, nothing decided`, async () => {
      const page = await openActivatePage(server)
      const {response, stillPending} = await post({cookie: page.cookie, csrfToken: page.csrfToken, headers})
      expect(response.status).to.equal(403)
      expect(response.text).to.include('sent from another site').and.not.include('<form')
      expect(stillPending).to.equal(true)
      expect(server.logs.join('\n')).to.include('sign-in form posted from another site')
    })
  }

  const ownSite: Array<[string, Record<string, string>]> = [
    ['its own Origin', {}],
    ['Origin: null (our page sends no referrer)', {origin: 'null', 'sec-fetch-site': 'same-origin'}],
  ]
  for (const [label, headers] of ownSite) {
    it(`accepts a POST with ${label}`, async () => {
      const page = await openActivatePage(server)
      const own = Object.keys(headers).length === 0 ? {origin: server.url, 'sec-fetch-site': 'same-origin'} : headers
      const {response} = await post({cookie: page.cookie, csrfToken: page.csrfToken, headers: own})
      expect(response.status, response.text).to.equal(200)
    })
  }

  it('the CSRF key is made once per database, whoever asks first: racing callers all get the same', async () => {
    const keys = await Promise.all(Array.from({length: 8}, (_, i) => server.store.serverSecret('race-test', `candidate-${i}`, new Date().toISOString())))
    expect(new Set(keys).size).to.equal(1)
    expect(await server.store.serverSecret('race-test', 'late', new Date().toISOString())).to.equal(keys[0])
  })
})

backends('the sign-in form behind an https public URL', (backend) => {
  let server: TestServer

  beforeEach(async () => {
    server = await startTestServer(backend, {}, {publicUrl: 'https://ndcli.example.com'})
  })
  afterEach(() => server.close())

  it('uses a __Host- cookie (Secure, Path=/) and checks Origin against the public URL', async () => {
    const email = await seedUser(server)
    const page = await fetch(`${server.url}/activate`)
    const setCookie = page.headers.getSetCookie()[0]!
    expect(setCookie).to.match(/^__Host-ndcli_csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/)
    const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1]!
    const cookie = setCookie.split(';')[0]!
    const submit = async (origin: string) => {
      const {device_code, user_code} = await startDeviceFlow(server)
      const response = await request(server, 'POST', '/activate', {
        headers: {cookie, origin},
        form: {user_code, email, password: PASSWORD, csrf_token: csrfToken, action: 'approve'},
      })
      return {status: response.status, poll: await pollToken(server, device_code)}
    }
    // The server's own loopback address is not where people reach it.
    const loopback = await submit(server.url)
    expect(loopback.status).to.equal(403)
    expectOAuthError(loopback.poll, 400, 'authorization_pending')
    const own = await submit('https://ndcli.example.com')
    expect(own.status).to.equal(200)
    expect(own.poll.status).to.equal(200)
    // The plain cookie name is not read when the __Host- one is expected.
    const plain = await request(server, 'POST', '/activate', {
      headers: {cookie: cookie.replace('__Host-', '')},
      form: {user_code: (await startDeviceFlow(server)).user_code, email, password: PASSWORD, csrf_token: csrfToken, action: 'approve'},
    })
    expect(plain.status).to.equal(403)
  })
})
