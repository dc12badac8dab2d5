/**
 * A hostile client's floods, on both back ends: each test prints what it sent, what was refused
 * and what the database kept, so the bounds can be read off the mocha output.
 */
import {request as httpRequest} from 'node:http'
import {expect} from 'chai'
import {conformanceProblem} from './openapi-conformance.js'
import {backends, expectOAuthError, request, startTestServer, type ApiResponse, type TestServer} from './helpers.js'

/** POST a form from a given loopback source address (all of 127.0.0.0/8 reaches the server), checked against the contract. */
function postFormFrom(server: TestServer, localAddress: string, path: string, form: Record<string, string>): Promise<ApiResponse> {
  const body = new URLSearchParams(form).toString()
  const url = new URL(path, server.url)
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: {'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body)}},
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const contentType = response.headers['content-type'] ?? null
          const parsed = contentType?.startsWith('application/json') && text ? JSON.parse(text) : text
          const problem = conformanceProblem('POST', path, {status: response.statusCode!, contentType, body: parsed})
          if (problem) return reject(new Error(problem))
          const headers = new Headers()
          for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value)
          resolve({status: response.statusCode!, headers, body: parsed, text})
        })
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

const startSignIn = (server: TestServer, from = '127.0.0.1') => postFormFrom(server, from, '/oauth/device/code', {client_id: 'ndcli'})

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
