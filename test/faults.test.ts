/**
 * The CLI under faults (cli.md exit codes, api.md retries): the real binary
 * against a fault-injecting HTTP server for what a real control plane cannot
 * be made to do on demand, and against the real control plane (on a
 * pseudo-terminal) for Ctrl-C at a prompt and during login.
 */
import {expect} from 'chai'
import {access} from 'node:fs/promises'
import {createServer} from 'node:net'

import {CredentialStore} from '@ndcli/core'
import {generatePat} from '@ndcli/core/pat'
import {isolatedDirs, runBinary, type CommandOutput} from '@ndcli/core/testing'
import {startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, expectOneLineError, sessionsPath, storedSession} from './support/cli.js'
import {apiError, json, startFaultServer, type FaultServer, type Reply} from './support/fault-server.js'
import {loggedInCli, tokenFrom, type Cli} from './support/harness.js'
import {runInPty} from './support/pty.js'

const LIST = ['auth', 'token', 'list']
const CREATE = ['auth', 'token', 'create', '--name', 'ci', '--scope', 'rw']
const CREATED = {token: generatePat(), name: 'ci', token_prefix: 'ndpat_xxxxxx', scope: 'RW', org: null, expires_at: null, created_at: '2026-01-01T00:00:00.000Z'}
/** The client's retry limit for safe requests (ApiClient: 2 retries). */
const ATTEMPTS = 3
const HTML_PAGE = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1><p>nginx</p></body></html>\n'

/** A free loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function timed(run: () => Promise<CommandOutput>): Promise<CommandOutput & {ms: number}> {
  const start = performance.now()
  const result = await run()
  return {...result, ms: performance.now() - start}
}

describe('faults (the real CLI against a misbehaving control plane)', function () {
  this.timeout(60_000)
  let faults: FaultServer
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  /** Faults the fault server did not serve itself: refused connections, Ctrl-C. */
  let otherFaults = 0
  const pat = generatePat()
  const ndcli = (args: string[], env: Record<string, string> = {}) => timed(() => runBinary(BIN, args, {env: {...dirs.env, NDCLI_API_URL: faults.url, ...env}}))
  /** Under NDCLI_TOKEN: GET requests only. */
  const list = (env: Record<string, string> = {}) => ndcli(LIST, {NDCLI_TOKEN: pat, ...env})

  before(async () => {
    faults = await startFaultServer()
    dirs = await isolatedDirs()
    // A stored session for the fault server: `auth token create` sends it without asking anything first.
    await new CredentialStore(dirs.env.NDCLI_DATA_DIR!).save(faults.url, {
      access_token: 'ndat_fault-session-access',
      refresh_token: 'ndrt_fault-session-refresh',
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      email: ACCOUNT.email,
    })
  })
  after(async () => {
    const injected = faults.faultsInjected() + otherFaults
    await faults.close()
    await dirs.cleanup()
    console.log(`      fault suite: ${injected} faults injected`)
  })

  describe('connection', () => {
    it('nothing listening: exit 7 naming the URL, long before the connect timeout', async () => {
      const url = `http://127.0.0.1:${await closedPort()}`
      const result = await list({NDCLI_API_URL: url, NDCLI_CONNECT_TIMEOUT: '10'})
      otherFaults += ATTEMPTS
      expectOneLineError(result, 7)
      expect(result.stderr).to.include(`Could not reach the control plane at ${url}: connection refused.`)
      expect(result.ms, 'a refused connection is not waited for').to.be.below(10_000)
    })

    it('a server that accepts and never answers: each attempt times out after NDCLI_TIMEOUT, then exit 7', async () => {
      faults.script('hang')
      const result = await list({NDCLI_TIMEOUT: '1'})
      expectOneLineError(result, 7)
      expect(result.stderr).to.include(`The control plane at ${faults.url} timed out waiting for an answer (GET /api/v1/auth/tokens).`)
      expect(faults.requests, 'a GET that timed out is retried').to.have.length(ATTEMPTS)
      expect(result.ms).to.be.at.least(ATTEMPTS * 1000).and.below(ATTEMPTS * 1000 + 8000)
    })
  })

  describe('retries', () => {
    it('retries a GET after 503 and succeeds', async () => {
      faults.script(apiError(503, 'unavailable', 'Try again.'), json(200, []))
      const result = await list()
      expect(result.exitCode, result.stderr).to.equal(0)
      expect([result.stdout, result.stderr]).to.deep.equal(['', 'No personal access tokens found\n'])
      expect(faults.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal(['GET /api/v1/auth/tokens', 'GET /api/v1/auth/tokens'])
      expect(faults.requests.every((r) => r.authorization === `Bearer ${pat}`)).to.equal(true)
    })

    it('never retries a POST: auth token create after 503 fails with exit 7 and sent one request', async () => {
      faults.script(apiError(503, 'unavailable', 'Try again.'), json(201, CREATED))
      const result = await ndcli(CREATE)
      expectOneLineError(result, 7)
      expect(result.stderr).to.include('Error: Try again.')
      expect(faults.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal(['POST /api/v1/auth/tokens'])
      expect(faults.requests[0]!.authorization).to.equal('Bearer ndat_fault-session-access')
    })

    it('honours Retry-After on 429', async () => {
      faults.script(apiError(429, 'rate_limited', 'Too many requests.', {'retry-after': '2'}), json(200, []))
      const result = await list()
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(faults.requests).to.have.length(2)
      const gap = faults.requests[1]!.at - faults.requests[0]!.at
      expect(gap, 'ms between the 429 and the retry').to.be.at.least(1950).and.below(3500)
    })

    it('500 with the API error envelope: not retried (a server bug), exit 7 with the server message (and the JSON error with -f json)', async () => {
      faults.script(apiError(500, 'internal_error', 'Something went wrong on our side.'))
      const result = await ndcli([...LIST, '-f', 'json'], {NDCLI_TOKEN: pat})
      expectOneLineError(result, 7)
      expect(result.stderr).to.equal('Error: Something went wrong on our side.\n')
      expect(JSON.parse(result.stdout)).to.deep.equal({error: {code: 'internal_error', message: 'Something went wrong on our side.'}})
      expect(faults.requests).to.have.length(1)
    })
  })

  describe('answers that are not the API', () => {
    const cases: Array<{title: string; reply: Reply; exitCode: number; attempts: number; message: RegExp}> = [
      {
        title: 'an HTML 502 page from a proxy (retried, then exit 7)',
        reply: {status: 502, headers: {'content-type': 'text/html'}, body: HTML_PAGE},
        exitCode: 7,
        attempts: ATTEMPTS,
        message: /^Error: The control plane at \S+ answered 502 Bad Gateway without an API error \(is NDCLI_API_URL right\?\)\.$/,
      },
      {
        title: 'an HTML 500 page (not retried, exit 7)',
        reply: {status: 500, headers: {'content-type': 'text/html'}, body: HTML_PAGE},
        exitCode: 7,
        attempts: 1,
        message: /^Error: The control plane at \S+ answered 500 Internal Server Error without an API error/,
      },
      {
        // The control plane answers 404 with an API error on every path: a bare 404 is another server (exit 7, not 5).
        title: 'an HTML 404 from a server that is not ndcli: exit 7, saying so',
        reply: {status: 404, headers: {'content-type': 'text/html'}, body: HTML_PAGE},
        exitCode: 7,
        attempts: 1,
        message: /^Error: The server at \S+ answered 404 Not Found to \/api\/v1\/auth\/tokens without an API error: it is not an ndcli control plane\.$/,
      },
      {
        // Not 5xx and not an API error: cli.md's "unexpected error".
        title: 'an HTML page with 200 (a captive portal, a wrong URL): exit 1',
        reply: {status: 200, headers: {'content-type': 'text/html'}, body: HTML_PAGE},
        exitCode: 1,
        attempts: 1,
        message: /^Error: The control plane at \S+ answered 200 OK with a body that is not JSON/,
      },
      {
        title: 'truncated JSON with 200: exit 1',
        reply: {status: 200, headers: {'content-type': 'application/json'}, body: '[{"name": "ci", "scope": '},
        exitCode: 1,
        attempts: 1,
        message: /^Error: The control plane at \S+ answered 200 OK with a body that is not JSON/,
      },
      {
        title: 'malformed JSON with 400: exit 2 (the status decides), without an API error',
        reply: {status: 400, headers: {'content-type': 'application/json'}, body: '{"error": {"code": '},
        exitCode: 2,
        attempts: 1,
        message: /^Error: The control plane at \S+ answered 400 Bad Request without an API error/,
      },
    ]
    for (const {title, reply, exitCode, attempts, message} of cases) {
      it(title, async () => {
        faults.script(reply)
        const result = await list()
        expectOneLineError(result, exitCode)
        expect(result.stderr.split('\n')[0]).to.match(message)
        expect(result.stderr).not.to.include('<html').and.not.to.include('DOCTYPE')
        expect(result.stdout).to.equal('')
        expect(faults.requests).to.have.length(attempts)
      })
    }
  })

  describe('Ctrl-C (real control plane, on a terminal)', () => {
    let server: ServerProcess
    let cli: Cli

    before(async () => {
      server = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1'}})
      cli = await loggedInCli(server, ACCOUNT.email)
    })
    after(async () => {
      await cli?.cleanup()
      await server?.stop()
    })

    it('at the revoke prompt: exit 130, and the token still exists', async () => {
      const created = await cli.ndcli(['auth', 'token', 'create', '--name', 'keep-me', '--scope', 'ro'])
      expect(created.exitCode, created.stderr).to.equal(0)
      const secret = tokenFrom(created)

      const revoke = runInPty(['auth', 'token', 'revoke', 'keep-me'], cli.env)
      await revoke.waitForOutput('Revoke the token "keep-me"? This cannot be undone.')
      revoke.write('\u0003')
      otherFaults++
      const result = await revoke.exited
      expect(result.exitCode, result.output).to.equal(130)
      expect(result.output).to.include('Error: Interrupted.').and.not.to.include('revoked')
      expect(result.output).not.to.match(/^\s+at /m)

      const listed = await cli.ndcli(['auth', 'token', 'list', '-f', 'json'])
      expect((JSON.parse(listed.stdout) as Array<{name: string}>).map((t) => t.name)).to.deep.equal(['keep-me'])
      // The token still works, so the server really has it.
      expect((await cli.ndcli(['auth', 'status'], {token: secret})).exitCode).to.equal(0)
    })

    it('during auth login polling: exit 130, and no credential file is written', async () => {
      const fresh = await isolatedDirs()
      try {
        const env = {...fresh.env, NDCLI_API_URL: server.url}
        const login = runInPty(['auth', 'login', '--no-browser'], env)
        await login.waitForOutput('Waiting for you to approve in the browser')
        login.write('\u0003')
        otherFaults++
        const result = await login.exited
        expect(result.exitCode, result.output).to.equal(130)
        expect(result.output).not.to.include('Logged in')
        expect(await storedSession(env, server.url)).to.equal(undefined)
        const written = await access(sessionsPath(env)).then(
          () => true,
          () => false,
        )
        expect(written, 'credentials file exists').to.equal(false)
      } finally {
        await fresh.cleanup()
      }
    })
  })
})
