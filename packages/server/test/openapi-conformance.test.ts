/**
 * The OpenAPI document is the contract: helpers.ts's request() holds every answer of every
 * server test against it (openapi-conformance.ts). These tests show that check catches drift,
 * on real answers of a real server with the shape changed the way a careless edit would.
 */
import {expect} from 'chai'

import {conformanceProblem} from './openapi-conformance.js'
import {createPat, request, seedUser, signIn, startTestServer, type TestServer} from './helpers.js'

describe('OpenAPI conformance check', () => {
  let server: TestServer
  let session: string

  before(async () => {
    server = await startTestServer('sqlite')
    session = (await signIn(server, await seedUser(server, {ops: 'read-write'}))).access_token
    await createPat(server, session, {name: 'monitor', scope: 'RO', org: 'ops'})
  })
  after(() => server.close())

  /** The answer to GET /api/v1/auth/tokens as the server sent it, for the check to judge again. */
  async function observedList() {
    const response = await request(server, 'GET', '/api/v1/auth/tokens', {token: session})
    return {status: response.status, contentType: response.headers.get('content-type'), body: response.body}
  }

  it('passes the real answer', async () => {
    expect(conformanceProblem('GET', '/api/v1/auth/tokens', await observedList())).to.equal(undefined)
  })

  it('fails a field the document does not declare', async () => {
    const observed = await observedList()
    observed.body[0].owner = 'ada@example.com'
    expect(conformanceProblem('GET', '/api/v1/auth/tokens', observed)).to.match(/must NOT have additional properties.*owner/)
  })

  it('fails a missing field and a retyped one', async () => {
    const observed = await observedList()
    delete observed.body[0].previous_valid_until
    observed.body[0].is_expired = 'no'
    const problem = conformanceProblem('GET', '/api/v1/auth/tokens', observed)
    expect(problem).to.include("must have required property 'previous_valid_until'").and.include('/0/is_expired must be boolean')
  })

  it('fails a scope or time outside the declared values', async () => {
    const observed = await observedList()
    observed.body[0].scope = 'rw'
    observed.body[0].created_at = 'yesterday'
    expect(conformanceProblem('GET', '/api/v1/auth/tokens', observed)).to.include('/0/scope must be equal to one of the allowed values').and.include('/0/created_at must match format "date-time"')
  })

  it('fails a success status the operation does not list', async () => {
    const observed = await observedList()
    expect(conformanceProblem('GET', '/api/v1/auth/tokens', {...observed, status: 206})).to.match(/lists no such status/)
  })

  it('holds an error it does not list for the operation to the error envelope', () => {
    const tooLarge = {status: 413, contentType: 'application/json; charset=utf-8', body: {error: {code: 'payload_too_large', message: 'too large'}}}
    expect(conformanceProblem('POST', '/api/v1/auth/tokens', tooLarge)).to.equal(undefined)
    expect(conformanceProblem('POST', '/api/v1/auth/tokens', {...tooLarge, body: {message: 'too large'}})).to.match(/required property 'error'/)
  })
})
