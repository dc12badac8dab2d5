/**
 * `ndcli auth login|logout|status` end to end: the real binary against the
 * real control plane (SQLite, loopback), approving codes the way the sign-in
 * form does. The browser itself is exercised in browser.test.ts.
 */
import {expect} from 'chai'
import {mkdtemp, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createServer} from 'node:net'

import {CredentialStore, notLoggedInMessage, type Session} from '@ndcli/core'
import {generatePat} from '@ndcli/core/pat'
import {isolatedDirs, runBinary} from '@ndcli/core/testing'
import {seedAccount, startServerProcess, submitActivation, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, login, sessionsPath, startLogin, storedSession, waitFor} from './support/cli.js'

const HOUR = 3600
const DAY = 24 * HOUR

describe('ndcli auth (against the real control plane)', function () {
  this.timeout(60_000)
  let server: ServerProcess
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  let env: Record<string, string>
  const ndcli = (args: string[], extraEnv: Record<string, string> = {}) => runBinary(BIN, args, {env: {...env, ...extraEnv}})

  before(async () => {
    // A 1 s polling interval keeps logins quick; the test clock lets tests age tokens and codes.
    server = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1', NDCLI_SERVER_TEST_CLOCK: '1'}})
    await seedAccount(server, {...ACCOUNT, orgs: [{slug: 'acme', role: 'superuser'}, {slug: 'labs', role: 'read-only'}]})
  })
  after(() => server?.stop())
  beforeEach(async () => {
    dirs = await isolatedDirs()
    env = {...dirs.env, NDCLI_API_URL: server.url}
  })
  afterEach(async () => {
    await server.shiftClock(0)
    await dirs.cleanup()
  })

  describe('login', () => {
    it('prints the code and URL, waits for approval, then stores the session (0600 in 0700)', async () => {
      const cli = startLogin(env)
      const userCode = await cli.userCode()
      expect(cli.stderr()).to.include(`${server.url}/activate`)
      const approval = await submitActivation(server.url, {userCode, email: ACCOUNT.email, password: ACCOUNT.password, action: 'approve'})
      expect(approval.status).to.equal(200)

      const result = await cli.exited
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stderr).to.include(`✓ Logged in as ${ACCOUNT.email}`)
      expect(result.stdout).to.equal('')
      const session = await storedSession(env, server.url)
      expect(session).to.include({email: ACCOUNT.email})
      expect((await stat(sessionsPath(env))).mode & 0o777).to.equal(0o600)
      expect((await stat(`${env.NDCLI_DATA_DIR}/credentials`)).mode & 0o777).to.equal(0o700)

      const status = await ndcli(['auth', 'status', '-f', 'json'])
      expect(status.exitCode, status.stderr).to.equal(0)
      expect(JSON.parse(status.stdout)).to.deep.include({api_url: server.url, authenticated: true, email: ACCOUNT.email, credential: {type: 'session'}})
    })

    it('says so and exits 0 when already logged in, without asking for a code', async () => {
      await login(server, env)
      const result = await ndcli(['auth', 'login', '--no-browser'])
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stderr).to.include(`Already logged in to ${server.url} as ${ACCOUNT.email}`).and.to.include('--force')
      expect(result.stderr).not.to.include('one-time code')
    })

    it('logs in again with --force, replacing the stored session and ending the old one on the server', async () => {
      await login(server, env)
      const before = (await storedSession(env, server.url))!
      const me = (accessToken: string) => fetch(`${server.url}/api/v1/auth/me`, {headers: {authorization: `Bearer ${accessToken}`}})
      expect((await me(before.access_token)).status).to.equal(200)
      const cli = startLogin(env, ['--no-browser', '--force'])
      await submitActivation(server.url, {userCode: await cli.userCode(), email: ACCOUNT.email, password: ACCOUNT.password, action: 'approve'})
      const result = await cli.exited
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stderr).not.to.include('Warning')
      const after = (await storedSession(env, server.url))!
      expect(after.refresh_token).to.be.a('string').and.not.equal(before.refresh_token)
      expect((await me(after.access_token)).status).to.equal(200)
      expect((await me(before.access_token)).status, 'the replaced session no longer works').to.equal(401)
      const refresh = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: {'content-type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: before.refresh_token, client_id: 'ndcli'}),
      })
      expect(refresh.status, 'nor does its refresh token').to.equal(400)
    })

    it('keeps waiting while the control plane restarts, says so once, and logs in when it is back', async () => {
      // A server of its own, stopped and started again at the same address on the same data.
      const dataDir = await mkdtemp(join(tmpdir(), 'ndcli-restart-'))
      const own = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1'}, dataDir})
      const {port} = new URL(own.url)
      let restarted: ServerProcess | undefined
      try {
        await seedAccount(own, ACCOUNT)
        const ownEnv = {...env, NDCLI_API_URL: own.url}
        const cli = startLogin(ownEnv)
        const userCode = await cli.userCode()
        await own.stop()
        await waitFor('the CLI to notice', () => (cli.stderr().includes('Still waiting') ? true : undefined))
        restarted = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1'}, dataDir, port: Number(port)})
        await submitActivation(restarted.url, {userCode, email: ACCOUNT.email, password: ACCOUNT.password, action: 'approve'})
        const result = await cli.exited
        expect(result.exitCode, result.stderr).to.equal(0)
        expect(result.stderr).to.include(`✓ Logged in as ${ACCOUNT.email}`)
        expect(result.stderr.match(/Still waiting/g), 'one warning for the outage').to.have.length(1)
        expect(result.stderr).to.match(/Warning: Could not reach the control plane at http:\/\/127\.0\.0\.1:\d+: .*Still waiting/)
      } finally {
        await restarted?.stop()
        await own.stop()
        await rm(dataDir, {recursive: true, force: true})
      }
    })

    it('stops with exit 3 when the request is denied, storing nothing', async () => {
      const cli = startLogin(env)
      await submitActivation(server.url, {userCode: await cli.userCode(), email: ACCOUNT.email, password: ACCOUNT.password, action: 'deny'})
      const result = await cli.exited
      expect(result.exitCode).to.equal(3)
      expect(result.stderr).to.include('Error: Access was denied in the browser.')
      expect(await storedSession(env, server.url)).to.equal(undefined)
    })

    it('stops with exit 3 when the code expires before approval', async () => {
      const cli = startLogin(env)
      await cli.userCode()
      await server.shiftClock(11 * 60) // device codes live 10 minutes
      const result = await cli.exited
      expect(result.exitCode).to.equal(3)
      expect(result.stderr).to.include("Error: The code expired before it was approved. Run 'ndcli auth login' again.")
      expect(await storedSession(env, server.url)).to.equal(undefined)
    })

    it('cancels on Ctrl-C with exit 130 and leaves no credentials', async () => {
      const cli = startLogin(env)
      await cli.userCode()
      cli.interrupt()
      const result = await cli.exited
      expect(result.exitCode).to.equal(130)
      expect(await storedSession(env, server.url)).to.equal(undefined)
    })

    it('is not blocked by a malformed NDCLI_TOKEN, and warns that the token takes precedence', async () => {
      const cli = startLogin({...env, NDCLI_TOKEN: 'ndpat_short'})
      await submitActivation(server.url, {userCode: await cli.userCode(), email: ACCOUNT.email, password: ACCOUNT.password, action: 'approve'})
      const result = await cli.exited
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stderr).to.match(/Warning: NDCLI_TOKEN is set and takes precedence/)
    })
  })

  describe('session refresh', () => {
    it('refreshes an expired access token once, rotating the refresh token on disk', async () => {
      await login(server, env)
      const before = (await storedSession(env, server.url))!
      await server.shiftClock(2 * HOUR) // access tokens live 1 hour; refresh tokens 30 days

      const status = await ndcli(['auth', 'status', '-f', 'json'])
      expect(status.exitCode, status.stderr).to.equal(0)
      expect(JSON.parse(status.stdout)).to.have.property('email', ACCOUNT.email)
      const after = (await storedSession(env, server.url))!
      expect(after.refresh_token).not.to.equal(before.refresh_token)
      expect(after.access_token).not.to.equal(before.access_token)
      expect(await meStatus(before.access_token)).to.equal(401)
      expect(await meStatus(after.access_token)).to.equal(200)
    })

    it('asks to log in again (exit 3) when the refresh token has expired too', async () => {
      await login(server, env)
      await server.shiftClock(31 * DAY)
      const status = await ndcli(['auth', 'status'])
      expect(status.exitCode).to.equal(3)
      expect(status.stderr).to.include("Your login session has expired. Run 'ndcli auth login' to log in again.")
    })
  })

  describe('logout', () => {
    it('revokes the session on the server, then deletes it locally', async () => {
      await login(server, env)
      const session = (await storedSession(env, server.url))!
      expect(await meStatus(session.access_token)).to.equal(200)

      const result = await ndcli(['auth', 'logout'])
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stderr).to.include(`✓ Logged out of ${server.url} (${ACCOUNT.email})`)
      expect(await meStatus(session.access_token)).to.equal(401)
      expect(await storedSession(env, server.url)).to.equal(undefined)

      const status = await ndcli(['auth', 'status'])
      expect(status.exitCode).to.equal(3)
      expect(status.stderr).to.include(notLoggedInMessage(server.url, 'NDCLI_API_URL'))
    })

    it('still deletes the local session, with a warning, when the server is unreachable', async () => {
      const deadUrl = await closedPortUrl()
      await new CredentialStore(env.NDCLI_DATA_DIR!).save(deadUrl, {access_token: 'a', refresh_token: 'r', expires_at: new Date(Date.now() + HOUR * 1000).toISOString(), email: ACCOUNT.email})
      const result = await ndcli(['auth', 'logout'], {NDCLI_API_URL: deadUrl, NDCLI_CONNECT_TIMEOUT: '2'})
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stderr).to.match(/Warning: Could not revoke the session on the server: Could not reach the control plane/)
      expect(result.stderr).to.include(`✓ Logged out of ${deadUrl}`)
      expect(await storedSession(env, deadUrl)).to.equal(undefined)
    })

    it('works under a malformed NDCLI_TOKEN, which concerns only other commands', async () => {
      await login(server, env)
      const result = await ndcli(['auth', 'logout'], {NDCLI_TOKEN: 'ndpat_short'})
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(await storedSession(env, server.url)).to.equal(undefined)
    })

    it('says there is nothing to do when not logged in', async () => {
      const result = await ndcli(['auth', 'logout'])
      expect(result.exitCode).to.equal(0)
      expect(result.stderr).to.include(`Not logged in to ${server.url}.`)
    })
  })

  describe('status', () => {
    it('exits 3 with the cli.md message when not authenticated (and the error document under -f json)', async () => {
      const result = await ndcli(['auth', 'status', '-f', 'json'])
      expect(result.exitCode).to.equal(3)
      const message = `Not logged in to ${server.url} (from NDCLI_API_URL). Run 'ndcli auth login', or set NDCLI_TOKEN.`
      expect(result.stderr).to.include(`Error: ${message}`)
      expect(JSON.parse(result.stdout)).to.deep.equal({error: {code: 'unauthenticated', message}})
    })

    it('exits 3 under a well-formed NDCLI_TOKEN the server does not know', async () => {
      const result = await ndcli(['auth', 'status'], {NDCLI_TOKEN: generatePat()})
      expect(result.exitCode).to.equal(3)
    })

    describe('under a personal access token (NDCLI_TOKEN)', () => {
      let pat: {token: string; expires_at: string}
      let session: Session
      beforeEach(async () => {
        await login(server, env)
        session = (await storedSession(env, server.url))!
        const response = await fetch(`${server.url}/api/v1/auth/tokens`, {
          method: 'POST',
          headers: {authorization: `Bearer ${session.access_token}`, 'content-type': 'application/json'},
          body: JSON.stringify({name: 'ci deploy', scope: 'RO', org: 'acme', expires_in: '30d'}),
        })
        expect(response.status).to.equal(201)
        pat = (await response.json()) as typeof pat
      })
      // Token names are unique per account: revoke it so the next case can create it again.
      afterEach(async () => {
        const response = await fetch(`${server.url}/api/v1/auth/tokens/ci%20deploy`, {method: 'DELETE', headers: {authorization: `Bearer ${session.access_token}`}})
        expect(response.status).to.equal(204)
      })
      const expiresDate = () => {
        const date = new Date(pat.expires_at)
        return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`
      }

      const formats: Array<{format: string; expect: (stdout: string, stderr: string) => void}> = [
        {
          format: 'table',
          expect: (stdout, stderr) => {
            // The status line on stderr, the record on stdout (the README's stream rule).
            expect(stderr).to.equal(`✓ Logged in to ${server.url} as ${ACCOUNT.email} (personal access token "ci deploy")\n`)
            expect(stdout).to.include('Authentication: Personal access token').and.to.include('Token: ci deploy').and.to.include('Scope: RO').and.to.include('Org: acme')
            expect(stdout).to.include(`Expires: ${expiresDate()} (in 30 days)`)
            // An org-restricted token sees only its organization.
            expect(stdout).to.include('Organizations: acme (superuser)').and.not.to.include('labs')
          },
        },
        {
          format: 'simple',
          expect: (stdout) => {
            expect(stdout).not.to.include('✓')
            expect(stdout.split('\n')).to.include.members([`Account: ${ACCOUNT.email}`, `API URL: ${server.url}`, 'Scope: RO', `Expires: ${expiresDate()} (in 30 days)`])
          },
        },
        {
          format: 'detailed',
          expect: (stdout) => {
            expect(stdout).to.match(/^Token: +ci deploy$/m).and.to.match(/^Org: +acme$/m).and.to.match(/^API URL: +http/m)
          },
        },
        {
          format: 'json',
          expect: (stdout) => {
            expect(JSON.parse(stdout)).to.deep.equal({
              api_url: server.url,
              authenticated: true,
              email: ACCOUNT.email,
              name: ACCOUNT.name,
              credential: {type: 'pat', name: 'ci deploy', scope: 'RO', org: 'acme', expires_at: pat.expires_at},
              organizations: [{slug: 'acme', role: 'superuser'}],
            })
          },
        },
      ]
      for (const {format, expect: check} of formats) {
        it(`shows the token's name, scope, org and expiry (-f ${format})`, async () => {
          const result = await ndcli(['auth', 'status', '-f', format], {NDCLI_TOKEN: pat.token})
          expect(result.exitCode, result.stderr).to.equal(0)
          check(result.stdout, result.stderr)
        })
      }
    })
  })

  async function meStatus(accessToken: string): Promise<number> {
    const response = await fetch(`${server.url}/api/v1/auth/me`, {headers: {authorization: `Bearer ${accessToken}`}})
    await response.body?.cancel()
    return response.status
  }
})

/** A loopback URL where nothing listens: a port just released by the OS. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const {port} = probe.address() as {port: number}
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
