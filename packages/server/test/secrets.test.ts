import {expect} from 'chai'
import {
  backends,
  createPat,
  PASSWORD,
  pollToken,
  request,
  seedUser,
  startDeviceFlow,
  startTestServer,
  submitActivate,
} from './helpers.js'

backends('secrets at rest and in logs', (backend) => {
  it('raw tokens, device codes and passwords appear nowhere in the database or the server log', async () => {
    const server = await startTestServer(backend)
    const email = await seedUser(server, {ops: 'superuser'})
    const {device_code, user_code} = await startDeviceFlow(server)
    expect((await submitActivate(server, {userCode: user_code, email, password: 'not-the-password'})).status).to.equal(401)
    expect((await submitActivate(server, {userCode: user_code, email})).status).to.equal(200)
    const session = (await pollToken(server, device_code)).body
    const rotated = (await request(server, 'POST', '/oauth/token', {form: {grant_type: 'refresh_token', refresh_token: session.refresh_token}})).body
    const pats = [
      await createPat(server, rotated.access_token, {name: 'ci', scope: 'RW'}),
      await createPat(server, rotated.access_token, {name: 'monitor', scope: 'RO', org: 'ops'}),
    ]
    for (const pat of pats) expect((await request(server, 'GET', '/api/v1/auth/me', {token: pat})).status).to.equal(200)
    await request(server, 'DELETE', '/api/v1/auth/tokens/ci', {token: rotated.access_token})
    await request(server, 'GET', '/api/v1/auth/me', {token: pats[0]})

    const secrets = [
      ...pats,
      device_code,
      session.access_token,
      session.refresh_token,
      rotated.access_token,
      rotated.refresh_token,
      PASSWORD,
      'not-the-password',
    ]
    const stored = await server.database.dump()
    // Not vacuous: the dump holds the rows written above (digests and display prefixes, never the secrets).
    expect(stored).to.include(email).and.include(pats[1]!.slice(0, 12))
    const log = server.logs.join('')
    expect(log).to.include('"msg":"request completed"')
    for (const secret of secrets) {
      expect(stored.includes(secret), `${secret.slice(0, 8)}… in the database`).to.equal(false)
      expect(log.includes(secret), `${secret.slice(0, 8)}… in the log`).to.equal(false)
    }
    await server.close()
  })

  it('one line per answered request: its id, method, path without the query string, address, status and time', async () => {
    const server = await startTestServer(backend)
    try {
      const email = await seedUser(server)
      const {device_code, user_code} = await startDeviceFlow(server)
      await submitActivate(server, {userCode: user_code, email})
      const session = (await pollToken(server, device_code)).body
      const pat = await createPat(server, session.access_token, {name: 'ci', scope: 'RO'})
      const response = await request(server, 'GET', `/api/v1/auth/tokens?token=${pat}`, {token: pat, headers: {'x-request-id': 'line-check-1'}})
      expect(response.status).to.equal(200)
      const lines = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.reqId === 'line-check-1')
      expect(lines).to.have.length(1)
      expect(lines[0]).to.deep.include({
        msg: 'request completed',
        req: {method: 'GET', path: '/api/v1/auth/tokens', remoteAddress: '127.0.0.1'},
        res: {statusCode: 200},
      })
      expect(lines[0]!.responseTime).to.be.a('number')
      expect(server.logs.join('').includes(pat), 'the PAT in the log').to.equal(false)
    } finally {
      await server.close()
    }
  })
})
