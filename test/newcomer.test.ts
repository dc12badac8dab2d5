/**
 * What people expect around the commands (issue 19), through the real binary against the real
 * control plane: the login's wait for the browser (a spinner on a terminal, the same plain lines
 * elsewhere, the complete link), errors that name the setting at fault, the messages a newcomer
 * tripped on, tables fitted to the terminal, and which stream each line goes to.
 */
import {expect} from 'chai'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {generatePat} from '@ndcli/core/pat'
import {isolatedDirs, runBinary} from '@ndcli/core/testing'
import {seedAccount, startServerProcess, submitActivation, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, expectOneLineError, startLogin, storedSession, waitFor} from './support/cli.js'
import {loggedInCli, tokenFrom, withRequests, type Cli} from './support/harness.js'
import {runInPty, type PtyProcess} from './support/pty.js'

/** Erase-line, as the spinner redraws and finally clears its line. */
const CLEAR_LINE = '\r\u001B[2K'
const COUNTDOWN = /Waiting for you to approve in the browser · code expires in (\d+):(\d\d) · Ctrl-C cancels/

describe('what a newcomer meets: the login wait, errors naming the setting, messages and streams', function () {
  this.timeout(60_000)
  let server: ServerProcess
  /** Each test's own config and data directories, pointed at `server`. */
  let env: Record<string, string>
  let removeDirs: () => Promise<void>

  before(async () => {
    // Polling every second keeps logins quick; the test clock lets a test expire a code.
    server = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1', NDCLI_SERVER_TEST_CLOCK: '1'}})
    await seedAccount(server, ACCOUNT)
  })
  after(() => server?.stop())
  beforeEach(async () => {
    const fresh = await isolatedDirs()
    env = {...fresh.env, NDCLI_API_URL: server.url}
    removeDirs = fresh.cleanup
  })
  afterEach(() => Promise.all([server.shiftClock(0), removeDirs()]))

  describe('auth login: waiting for the browser', () => {
    /** The one-time code once the terminal shows it. */
    const codeOn = async (login: PtyProcess) => {
      await login.waitForOutput(/code: [A-Z]{4}-[A-Z]{4}/)
      return /code: ([A-Z]{4}-[A-Z]{4})/.exec(login.output())![1]!
    }
    const answer = (userCode: string, action: 'approve' | 'deny') => submitActivation(server.url, {userCode, email: ACCOUNT.email, password: ACCOUNT.password, action})

    it('on a terminal: the complete link, then a spinner counting down the code, erased once approved', async () => {
      const login = runInPty(['auth', 'login', '--no-browser'], env)
      const userCode = await codeOn(login)
      expect(login.output()).to.include(`Then open ${server.url}/activate?user_code=${userCode} in a browser (the code is filled in), or open ${server.url}/activate and enter it.`)
      // Device codes live 10 minutes: the countdown starts there and goes down.
      await login.waitForOutput(COUNTDOWN)
      const [, minutes] = COUNTDOWN.exec(login.output())!
      expect(Number(minutes)).to.be.within(9, 10)
      await login.waitForOutput(/code expires in 9:5\d/)
      expect((await answer(userCode, 'approve')).status).to.equal(200)

      const {exitCode, output} = await login.exited
      expect(exitCode, output).to.equal(0)
      // The spinner's line is erased, then the outcome starts on a clean line, and nothing redraws after it.
      const outcome = output.indexOf(`✓ Logged in as ${ACCOUNT.email}`)
      expect(output.slice(0, outcome).endsWith(CLEAR_LINE), JSON.stringify(output.slice(outcome - 120))).to.equal(true)
      expect(output.slice(outcome)).not.to.include('Waiting')
      expect(await storedSession(env, server.url)).to.include({email: ACCOUNT.email})
    })

    it('on a terminal, denied: the spinner is erased before the one error line (exit 3)', async () => {
      const login = runInPty(['auth', 'login', '--no-browser'], env)
      const userCode = await codeOn(login)
      await login.waitForOutput(COUNTDOWN)
      await answer(userCode, 'deny')
      const {exitCode, output} = await login.exited
      expect(exitCode).to.equal(3)
      expect(output).to.include(`${CLEAR_LINE}Error: Access was denied in the browser.\r\n`)
    })

    it('on a terminal, the code expires: the spinner is erased before the error (exit 3)', async () => {
      const login = runInPty(['auth', 'login', '--no-browser'], env)
      await codeOn(login)
      await login.waitForOutput(COUNTDOWN)
      await server.shiftClock(11 * 60)
      const {exitCode, output} = await login.exited
      expect(exitCode).to.equal(3)
      expect(output).to.include(`${CLEAR_LINE}Error: The code expired before it was approved. Run 'ndcli auth login' again.\r\n`)
    })

    it('on a terminal, Ctrl-C: the spinner is erased, exit 130, nothing stored', async () => {
      const login = runInPty(['auth', 'login', '--no-browser'], env)
      await codeOn(login)
      await login.waitForOutput(COUNTDOWN)
      login.write('\u0003')
      const {exitCode, output} = await login.exited
      expect(exitCode).to.equal(130)
      expect(output).to.include(`${CLEAR_LINE}Error: Interrupted.`)
      expect(await storedSession(env, server.url)).to.equal(undefined)
    })

    it('off a terminal: the same plain lines as always, the complete link among them, no control sequences', async () => {
      const login = startLogin(env)
      const userCode = await login.userCode()
      await waitFor('the waiting line', () => (login.stderr().includes('Waiting') ? true : undefined))
      await answer(userCode, 'approve')
      const result = await login.exited
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stdout).to.equal('')
      expect(result.stderr).to.equal(
        [
          `! First copy your one-time code: ${userCode}`,
          `Then open ${server.url}/activate?user_code=${userCode} in a browser (the code is filled in), or open ${server.url}/activate and enter it.`,
          'Waiting for you to approve in the browser (Ctrl-C to cancel)…',
          `✓ Logged in as ${ACCOUNT.email}`,
          '',
        ].join('\n'),
      )
    })
  })

  describe('errors that name the setting at fault', () => {
    const ndcli = (args: string[], extra: Record<string, string | undefined> = {}) => runBinary(BIN, args, {env: {...env, ...extra}})
    const writeConfig = async (values: Record<string, string>) => {
      await mkdir(env.NDCLI_CONFIG_DIR!, {recursive: true})
      await writeFile(join(env.NDCLI_CONFIG_DIR!, 'config.json'), JSON.stringify(values))
    }

    for (const value of ['notaurl', 'ftp://example.com', '127.0.0.1:4680', 'http://exa mple.com']) {
      it(`NDCLI_API_URL=${value}: a usage error naming the variable, before any request (exit 2)`, async () => {
        for (const args of [['auth', 'token', 'list'], ['auth', 'status'], ['auth', 'login', '--no-browser']]) {
          const result = await ndcli(args, {NDCLI_API_URL: value, NDCLI_TOKEN: args[1] === 'token' ? generatePat() : undefined})
          expectOneLineError(result, 2, args.join(' '))
          expect(result.stderr).to.match(/^Error: NDCLI_API_URL must be an http:\/\/ or https:\/\/ URL/)
          expect(result.stderr).to.include("Hint: Set NDCLI_API_URL to the control plane's URL, or unset it.")
        }
      })
    }

    it('api.url in config.json that is not a URL: names api.url and how to fix it (exit 2); config commands still work to fix it', async () => {
      await writeConfig({'api.url': 'notaurl'})
      const result = await ndcli(['org', 'list'], {NDCLI_API_URL: undefined})
      expectOneLineError(result, 2)
      expect(result.stderr).to.equal(
        "Error: api.url must be an http:// or https:// URL, e.g. http://127.0.0.1:4680\nHint: Fix it with 'ndcli config set api.url <url>', or 'ndcli config unset api.url'.\n",
      )
      expect((await ndcli(['config', 'set', 'api.url', server.url], {NDCLI_API_URL: undefined})).exitCode).to.equal(0)
    })

    it('no session for the API URL in use: the error names the URL and where it came from', async () => {
      const cli = await loggedInCli(server, 'logged-in@example.com')
      try {
        const elsewhere = 'http://127.0.0.1:9'
        // Logged in to `server`, but NDCLI_API_URL points at another control plane.
        const here = await cli.ndcli(['auth', 'token', 'list'])
        expect(here.exitCode, here.stderr).to.equal(0)
        const other = await runBinary(BIN, ['auth', 'token', 'list'], {env: {...cli.env, NDCLI_API_URL: elsewhere}})
        expectOneLineError(other, 3)
        expect(other.stderr).to.equal(`Error: Not logged in to ${elsewhere} (from NDCLI_API_URL). Run 'ndcli auth login', or set NDCLI_TOKEN.\n`)

        await mkdir(cli.env.NDCLI_CONFIG_DIR!, {recursive: true})
        await writeFile(join(cli.env.NDCLI_CONFIG_DIR!, 'config.json'), JSON.stringify({'api.url': elsewhere}))
        const fromConfig = await runBinary(BIN, ['org', 'list'], {env: {...cli.env, NDCLI_API_URL: undefined}})
        expect(fromConfig.stderr).to.equal(`Error: Not logged in to ${elsewhere} (from api.url in config). Run 'ndcli auth login', or set NDCLI_TOKEN.\n`)

        await writeFile(join(cli.env.NDCLI_CONFIG_DIR!, 'config.json'), '{}')
        const byDefault = await runBinary(BIN, ['org', 'list'], {env: {...cli.env, NDCLI_API_URL: undefined}})
        expect(byDefault.stderr).to.equal("Error: Not logged in to http://127.0.0.1:4680 (the default API URL). Run 'ndcli auth login', or set NDCLI_TOKEN.\n")
      } finally {
        await cli.cleanup()
      }
    })

    describe('a server that is not an ndcli control plane (a plain HTTP server answering 404 to everything)', () => {
      let plain: Server
      let plainUrl: string
      before(async () => {
        plain = createServer((_request, response) => response.writeHead(404, {'content-type': 'text/plain'}).end('404 page not found\n'))
        await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
        plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`
      })
      after(() => new Promise<void>((resolve) => plain.close(() => resolve())))

      // Exit 7 ("the control plane could not be reached"), not 5, which says a control plane looked and found nothing.
      for (const [args, path, token] of [
        [['auth', 'login', '--no-browser'], '/oauth/device/code', false],
        [['auth', 'token', 'list'], '/api/v1/auth/tokens', true],
        [['auth', 'status'], '/api/v1/auth/me', true],
      ] as const) {
        it(`${args.join(' ')}: says so, exit 7`, async () => {
          const result = await ndcli([...args], {NDCLI_API_URL: plainUrl, NDCLI_TOKEN: token ? generatePat() : undefined})
          expectOneLineError(result, 7)
          expect(result.stderr).to.equal(
            `Error: The server at ${plainUrl} answered 404 Not Found to ${path} without an API error: it is not an ndcli control plane.\nHint: Check that NDCLI_API_URL points at an ndcli control plane.\n`,
          )
        })
      }
    })
  })

  describe('messages a newcomer tripped on', () => {
    let cli: Cli
    before(async () => {
      cli = await loggedInCli(server, 'newcomer@example.com')
    })
    after(() => cli?.cleanup())

    it('--org "": omit --org (exit 2), not the API\'s "null for all organizations"', async () => {
      const result = await cli.ndcli(['auth', 'token', 'create', '--name', 'ci', '--scope', 'rw', '--org', ''])
      expectOneLineError(result, 2)
      expect(result.stderr).to.equal('Error: Expected a non-empty --org: omit --org to allow access to all organizations.\n')
    })

    it('a name the server refuses: the error names --name (exit 2)', async () => {
      for (const name of ['a/b', 'x'.repeat(65)]) {
        const result = await cli.ndcli(['auth', 'token', 'create', '--name', name, '--scope', 'rw'])
        expectOneLineError(result, 2, name)
        expect(result.stderr).to.equal(
          "Error: --name must be 1-64 characters: letters, digits, space, '.', '_' or '-', starting with a letter or digit and not ending with a space\n",
        )
      }
      // Edge whitespace is refused before any request, with the fix spelled out.
      const padded = await cli.ndcli(['auth', 'token', 'create', '--name', ' leading-space', '--scope', 'rw'])
      expectOneLineError(padded, 2)
      expect(padded.stderr).to.equal('Error: --name must not begin or end with whitespace: use --name "leading-space".\n')
    })

    for (const command of ['revoke', 'show', 'rotate'] as const) {
      it(`${command} of a 300-character name: "no token named …" (exit 5), asked nothing of the server`, async () => {
        const {result, requests} = await withRequests(server, () => cli.ndcli(['auth', 'token', command, 'x'.repeat(300), ...(command === 'show' ? [] : ['--yes'])]))
        expect(requests).to.deep.equal([])
        expectOneLineError(result, 5)
        expect(result.stderr).to.equal(`Error: You have no token named "${'x'.repeat(40)}…": token names are at most 64 characters.\n`)
      })
    }

    it("create's help: the usage line has no empty alternative", async () => {
      const help = await cli.ndcli(['auth', 'token', 'create', '--help'])
      expect(help.exitCode).to.equal(0)
      const usage = help.stdout.slice(help.stdout.indexOf('USAGE'), help.stdout.indexOf('FLAGS')).replace(/\s+/g, ' ')
      expect(usage).to.include('[-q | [--json | -f table|json|simple|detailed]]').and.not.include('|  |')
      // The relationships still hold when parsing.
      const both = await cli.ndcli(['auth', 'token', 'create', '--name', 'q', '--scope', 'rw', '-q', '-f', 'json'])
      expect(both.exitCode).to.equal(2)
      expect(both.stderr).to.include('--format=json cannot also be provided when using --quiet')
    })

    describe('the stream rule: data (and the secret) on stdout, status lines on stderr', () => {
      it('create: the record on stdout, the ✓/⚠ lines and the hint on stderr; revoke: its ✓ on stderr, nothing on stdout', async () => {
        const created = await cli.ndcli(['auth', 'token', 'create', '--name', 'streams', '--scope', 'ro', '--expiry', 'never'])
        expect(created.exitCode, created.stderr).to.equal(0)
        expect(created.stdout).to.equal(`Token: ${tokenFrom(created)}\nName: streams\nScope: RO\nExpires: Never\n`)
        expect(created.stderr).to.equal(
          '✓ Personal access token created\n⚠ Copy your token now — it will NOT be shown again.\nSet NDCLI_TOKEN=<token> to use static auth without interactive login.\n',
        )
        const revoked = await cli.ndcli(['auth', 'token', 'revoke', 'streams', '--yes'])
        expect(revoked).to.deep.equal({exitCode: 0, stdout: '', stderr: '✓ Token "streams" revoked\n'})
      })

      it('an empty list: nothing on stdout in -f simple (the message on stderr), [] in -f json', async () => {
        expect(await cli.ndcli(['auth', 'token', 'list', '-f', 'simple'])).to.deep.equal({exitCode: 0, stdout: '', stderr: 'No personal access tokens found\n'})
        expect(await cli.ndcli(['auth', 'token', 'list', '-f', 'json'])).to.deep.equal({exitCode: 0, stdout: '[]\n', stderr: ''})
      })
    })

    describe('a 64-character name in the table', () => {
      const longName = `n${'0123456789'.repeat(6)}xyz`
      before(async () => {
        expect(longName).to.have.length(64)
        const created = await cli.ndcli(['auth', 'token', 'create', '--name', longName, '--scope', 'ro'])
        expect(created.exitCode, created.stderr).to.equal(0)
      })
      after(async () => {
        await cli.ndcli(['auth', 'token', 'revoke', longName, '--yes'])
      })

      it('on an 80-column terminal: every line fits, the NAME column cut with …', async () => {
        const {exitCode, output} = await runInPty(['auth', 'token', 'list'], {...cli.env, COLUMNS: '80'}).exited
        expect(exitCode, output).to.equal(0)
        const lines = output.split('\r\n').filter((line) => /^[╭│├╰]/.test(line))
        expect(lines).to.have.length(5)
        for (const line of lines) expect(line.length, line).to.equal(80)
        expect(lines[3]).to.match(/^│ n0123456789… │ ndpat_/)
      })

      it('off a terminal (a pipe): whole values, nothing cut, even with COLUMNS set', async () => {
        const listed = await runBinary(BIN, ['auth', 'token', 'list'], {env: {...cli.env, COLUMNS: '80'}})
        expect(listed.exitCode, listed.stderr).to.equal(0)
        expect(listed.stdout).to.include(`│ ${longName} │`).and.not.include('…')
      })
    })
  })
})
