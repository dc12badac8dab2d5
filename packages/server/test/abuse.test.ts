/**
 * A hostile client's floods, on both back ends: each test prints what it sent, what was refused
 * and what the database kept, so the bounds can be read off the mocha output.
 */
import {request as httpRequest} from 'node:http'
import {expect} from 'chai'
import {conformanceProblem} from './openapi-conformance.js'
import {
  backends,
  createPat,
  expectError,
  expectOAuthError,
  request,
  seedUser,
  signIn,
  startTestServer,
  type ApiResponse,
  type TestServer,
} from './helpers.js'

/** A request from a given loopback source address (all of 127.0.0.0/8 reaches the server), checked against the contract. */
function requestFrom(
  server: TestServer,
  localAddress: string,
  method: string,
  path: string,
  options: {token?: string; form?: Record<string, string>} = {},
): Promise<ApiResponse> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (body !== undefined) Object.assign(headers, {'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body))})
  const url = new URL(path, server.url)
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({host: url.hostname, port: url.port, path: url.pathname, method, localAddress, headers}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const contentType = response.headers['content-type'] ?? null
        const parsed = contentType?.startsWith('application/json') && text ? JSON.parse(text) : text
        const problem = conformanceProblem(method, path, {status: response.statusCode!, contentType, body: parsed})
        if (problem) return reject(new Error(problem))
        const received = new Headers()
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') received.set(name, value)
        resolve({status: response.statusCode!, headers: received, body: parsed, text})
      })
    })
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

const startSignIn = (server: TestServer, from = '127.0.0.1') => requestFrom(server, from, 'POST', '/oauth/device/code', {form: {client_id: 'ndcli'}})

function tally(responses: ApiResponse[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const {status} of responses) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

backends('abuse: device-code issuance is bounded', (backend) => {
  let server: TestServer
  afterEach(() => server.close())

  it('500 requests in a burst from one address: the first 10 get a code, the rest 429 rate_limited with Retry-After', async () => {
    server = await startTestServer(backend, {deviceCodeRequestLimit: 10})
    const started = performance.now()
    const responses = await Promise.all(Array.from({length: 500}, () => request(server, 'POST', '/oauth/device/code', {form: {client_id: 'ndcli'}})))
    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    const counts = tally(responses)
    const rows = await server.store.countDeviceAuthorizations()
    console.log(`      [${backend}] device-code burst: sent 500 in ${seconds} s, accepted ${counts[200] ?? 0}, refused ${counts[429] ?? 0} (429), rows left ${rows}`)
    expect(counts).to.deep.equal({200: 10, 429: 490})
    expect(rows).to.equal(10)
    const refused = responses.find((response) => response.status === 429)!
    expectOAuthError(refused, 429, 'rate_limited')
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60)
    // The limit is per address: another one is served at once.
    expect((await startSignIn(server, '127.0.0.2')).status).to.equal(200)
  })

  it('caps the pending codes per address (429) and overall (503); expired ones stop counting', async () => {
    server = await startTestServer(backend, {deviceCodeRequestLimit: 1000, maxPendingDeviceCodesPerAddress: 5, maxPendingDeviceCodes: 8})
    const first: ApiResponse[] = []
    // One after the other: on PostgreSQL concurrent requests may pass a cap by the number in flight (documented).
    for (let i = 0; i < 20; i++) first.push(await startSignIn(server, '127.0.0.1'))
    const second: ApiResponse[] = []
    for (let i = 0; i < 20; i++) second.push(await startSignIn(server, '127.0.0.2'))
    const rows = await server.store.countDeviceAuthorizations()
    console.log(
      `      [${backend}] pending caps (5 per address, 8 in all): 127.0.0.1 sent 20, accepted ${tally(first)[200]}, refused ${tally(first)[429]} (429); ` +
        `127.0.0.2 sent 20, accepted ${tally(second)[200]}, refused ${tally(second)[503]} (503); rows left ${rows}`,
    )
    expect(tally(first)).to.deep.equal({200: 5, 429: 15})
    expect(tally(second)).to.deep.equal({200: 3, 503: 17})
    expect(rows).to.equal(8)
    expectOAuthError(first.at(-1)!, 429, 'rate_limited')
    expect(first.at(-1)!.headers.get('retry-after')).to.equal('60')
    expectOAuthError(second.at(-1)!, 503, 'temporarily_unavailable')
    expect(second.at(-1)!.headers.get('retry-after')).to.equal('60')

    // Once they expire they no longer count, and the next issuance deletes them.
    server.clock.setOffsetSeconds(601)
    expect((await startSignIn(server, '127.0.0.3')).status).to.equal(200)
    const afterExpiry = await server.store.countDeviceAuthorizations()
    console.log(`      [${backend}] after the codes expired: one more issued, rows left ${afterExpiry}`)
    expect(afterExpiry).to.equal(1)
  })

  it('a timer deletes expired codes even when no one starts a sign-in', async () => {
    server = await startTestServer(backend, {deviceCodePurgeIntervalSeconds: 1})
    for (let i = 0; i < 3; i++) expect((await startSignIn(server)).status).to.equal(200)
    server.clock.setOffsetSeconds(601)
    const deadline = Date.now() + 5000
    let rows = await server.store.countDeviceAuthorizations()
    while (rows > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      rows = await server.store.countDeviceAuthorizations()
    }
    console.log(`      [${backend}] purge timer: 3 codes issued and expired, rows left ${rows}`)
    expect(rows).to.equal(0)
  })
})

/** A well-formed but unknown value beginning like `secret` (same length, same first 12 characters). */
function guessLike(secret: string, attempt: number): string {
  const tail = `${attempt}`.padStart(4, '0') + 'x'.repeat(secret.length)
  return (secret.slice(0, 12) + tail).slice(0, secret.length)
}

backends('abuse: failure throttling does not lock out the innocent', (backend) => {
  let server: TestServer
  let email: string
  afterEach(() => server.close())

  it('20 failures from an address: its valid session and PAT are still served, its further failures get 429', async () => {
    server = await startTestServer(backend, {authFailureLimit: 20})
    email = await seedUser(server)
    const {access_token: session} = await signIn(server, email)
    const pat = await createPat(server, session, {name: 'ci', scope: 'RO'})
    const failures: ApiResponse[] = []
    for (let i = 0; i < 20; i++) failures.push(await request(server, 'GET', '/api/v1/auth/me', {token: `ndat_wrong${i}`}))
    const valid = [await request(server, 'GET', '/api/v1/auth/me', {token: session}), await request(server, 'GET', '/api/v1/auth/me', {token: pat})]
    const after = await request(server, 'GET', '/api/v1/auth/me', {token: 'ndat_wrong-again'})
    console.log(
      `      [${backend}] address throttle: sent 20 bad credentials (${tally(failures)[401]} × 401), then 2 valid (${valid.map((r) => r.status).join(', ')}), then 1 bad (${after.status})`,
    )
    expect(tally(failures)).to.deep.equal({401: 20})
    expect(valid.map((response) => response.status)).to.deep.equal([200, 200])
    expectError(after, 429, 'rate_limited')
    expect(Number(after.headers.get('retry-after'))).to.be.within(1, 60)
    // Only failures count: successes from the address never add up to a refusal.
    for (let i = 0; i < 30; i++) expect((await request(server, 'GET', '/api/v1/auth/me', {token: session})).status).to.equal(200)
  })

  it('guesses at one credential are bounded across addresses; a secret that was used before is still served', async () => {
    server = await startTestServer(backend, {authFailureLimit: 5})
    email = await seedUser(server)
    const used = (await signIn(server, email)).access_token
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: used})).status).to.equal(200)
    const unused = (await signIn(server, email)).access_token

    const attack = async (target: string) => {
      const responses: ApiResponse[] = []
      // Five addresses, two guesses each: no address reaches its limit, the prefix does.
      for (let i = 0; i < 10; i++) responses.push(await requestFrom(server, `127.0.0.${2 + (i % 5)}`, 'GET', '/api/v1/auth/me', {token: guessLike(target, i)}))
      return responses
    }
    const atUsed = await attack(used)
    const atUnused = await attack(unused)
    const usedAfter = await request(server, 'GET', '/api/v1/auth/me', {token: used})
    const unusedAfter = await request(server, 'GET', '/api/v1/auth/me', {token: unused})
    console.log(
      `      [${backend}] prefix throttle: 10 guesses at each of 2 sessions from 5 addresses: ${tally(atUsed)[401]} × 401 then ${tally(atUsed)[429]} × 429, and ${tally(atUnused)[401]} × 401 then ${tally(atUnused)[429]} × 429; ` +
        `afterwards the session used before → ${usedAfter.status}, the one never used → ${unusedAfter.status}`,
    )
    expect(tally(atUsed)).to.deep.equal({401: 5, 429: 5})
    expect(tally(atUnused)).to.deep.equal({401: 5, 429: 5})
    expect(usedAfter.status).to.equal(200)
    expectError(unusedAfter, 429, 'rate_limited')
    expect(unusedAfter.body.error.message).to.include('begins like this one')
    server.clock.setOffsetSeconds(61)
    expect((await request(server, 'GET', '/api/v1/auth/me', {token: unused})).status).to.equal(200)
  })

  it('a wall-clock step backwards does not lengthen the wait (windows run on a monotonic clock)', async () => {
    server = await startTestServer(backend, {authFailureLimit: 3})
    for (let i = 0; i < 3; i++) expectError(await request(server, 'GET', '/api/v1/auth/me', {token: `ndat_wrong${i}`}), 401, 'invalid_token')
    server.clock.setOffsetSeconds(-3 * 86_400)
    const limited = await request(server, 'GET', '/api/v1/auth/me', {token: 'ndat_wrong'})
    console.log(`      [${backend}] clock stepped back 3 days after 3 failures: Retry-After ${limited.headers.get('retry-after')} s`)
    expectError(limited, 429, 'rate_limited')
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60)
    // A minute later (on the monotonic clock) the address may fail again.
    server.clock.setOffsetSeconds(-3 * 86_400 + 61)
    expectError(await request(server, 'GET', '/api/v1/auth/me', {token: 'ndat_wrong'}), 401, 'invalid_token')
  })

  it('/oauth/token: failed refreshes from an address do not stop a valid refresh token from it', async () => {
    server = await startTestServer(backend, {authFailureLimit: 3})
    email = await seedUser(server)
    const {refresh_token} = await signIn(server, email)
    const refresh = (token: string) => request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: token, client_id: 'ndcli'}})
    for (let i = 0; i < 3; i++) expectOAuthError(await refresh(`ndrt_wrong${i}`), 400, 'invalid_grant')
    const valid = await refresh(refresh_token)
    const bad = await refresh('ndrt_wrong-again')
    console.log(`      [${backend}] /oauth/token: 3 bad refresh tokens (400), then the valid one → ${valid.status}, then a bad one → ${bad.status}`)
    expect(valid.status, valid.text).to.equal(200)
    expectOAuthError(bad, 429, 'rate_limited')
  })
})
