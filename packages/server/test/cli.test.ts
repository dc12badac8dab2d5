import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {chmodSync, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import {expect} from 'chai'
import {backends, freshDatabase, type TestDatabase} from './backends.js'
import {ensureBuilt} from './build.js'

const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)))
const BIN = join(PACKAGE_DIR, 'bin', 'ndcli-server.js')

function cli(args: string[], options: {input?: string; env?: NodeJS.ProcessEnv} = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {input: options.input, encoding: 'utf8', env: {...process.env, ...options.env}})
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

interface Running {
  child: ChildProcess
  url: string
  stdoutLines: string[]
  stderr: () => string
  exited: Promise<number | null>
}

async function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', ...args], {env: {...process.env, ...env}})
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const stdoutLines: string[] = []
  const lines = createInterface({input: child.stdout!})
  const first = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      stdoutLines.push(line)
      resolve(line)
    })
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)))
  })
  const match = /^Listening on (http:\/\/[\d.]+:\d+)$/.exec(first)
  if (!match) throw new Error(`unexpected first line: ${first}`)
  return {child, url: match[1]!, stdoutLines, stderr: () => stderr, exited}
}

backends('ndcli-server operator CLI (real subprocess)', (backend) => {
  let database: TestDatabase
  let storage: string[]

  before(ensureBuilt)
  beforeEach(async () => {
    database = await freshDatabase(backend)
    storage = database.cliArgs
  })
  afterEach(() => database.drop())


  it('starts on a fresh database; user/org/member add work while it runs; SIGTERM stops it cleanly', async () => {
    const server = await startCli(storage, {NDCLI_SERVER_DEVICE_INTERVAL: '1'})
    try {
      const added = [
        cli(['user', 'add', '--email', 'Ada@Example.com', '--password-stdin', '--name', 'Ada', ...storage], {input: 's3cret pass\n'}),
        cli(['org', 'add', '--slug', 'ops', '--name', 'Operations', ...storage]),
        cli(['member', 'add', '--org', 'ops', '--email', 'ada@example.com', '--role', 'read-only', ...storage]),
      ]
      expect(added.map((result) => [result.status, result.stdout, result.stderr])).to.deep.equal([
        [0, 'Created user ada@example.com\n', ''],
        [0, 'Created organization ops\n', ''],
        [0, 'ada@example.com is now read-only in ops\n', ''],
      ])

      // The running server sees the new account: sign in with the password read from stdin (without its newline).
      const deviceResponse = await fetch(`${server.url}/oauth/device/code`, {method: 'POST', body: new URLSearchParams({client_id: 'ndcli'})})
      const device = (await deviceResponse.json()) as {device_code: string; user_code: string; interval: number}
      expect(device.interval).to.equal(1)
      const page = await fetch(`${server.url}/activate`)
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1]!
      const approval = await fetch(`${server.url}/activate`, {
        method: 'POST',
        headers: {cookie: page.headers.getSetCookie()[0]!.split(';')[0]!},
        body: new URLSearchParams({user_code: device.user_code, email: 'ada@example.com', password: 's3cret pass', csrf_token: csrf, action: 'approve'}),
      })
      expect(approval.status).to.equal(200)
      const tokenResponse = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code}),
      })
      const {access_token: accessToken} = (await tokenResponse.json()) as {access_token: string}
      const orgsResponse = await fetch(`${server.url}/api/v1/organizations`, {headers: {authorization: `Bearer ${accessToken}`}})
      const orgs = (await orgsResponse.json()) as Array<Record<string, unknown>>
      expect(orgs).to.have.length(1)
      expect(orgs[0]).to.include({slug: 'ops', name: 'Operations', role: 'read-only'})
    } finally {
      server.child.kill('SIGTERM')
    }
    expect(await server.exited).to.equal(0)
    expect(server.stdoutLines).to.have.length(1)
    const logLines = server.stderr().trim().split('\n').map((line) => JSON.parse(line))
    expect(logLines.at(-1)).to.include({msg: 'shutting down', signal: 'SIGTERM'})
  })

  if (backend === 'sqlite') {
    it('sets an existing data directory that others may read to 0700 at start, and logs a warning', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ndcli-server-loose-'))
      try {
        chmodSync(dataDir, 0o755)
        const server = await startCli(['--data-dir', dataDir])
        server.child.kill('SIGTERM')
        expect(await server.exited).to.equal(0)
        const mode = statSync(dataDir).mode & 0o777
        const warning = server.stderr().split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((line) => line.level === 40)
        console.log(`      data directory 0755 → ${mode.toString(8).padStart(4, '0')}; warning: ${warning?.msg}`)
        expect(mode).to.equal(0o700)
        expect(warning?.msg).to.equal(`The data directory ${dataDir} was accessible to other users (mode 0755); its mode is now 0700.`)
      } finally {
        rmSync(dataDir, {recursive: true, force: true})
      }
    })
  }

  it('refuses out-of-range test clock offsets with 400 and keeps serving', async () => {
    const server = await startCli(storage, {NDCLI_SERVER_TEST_CLOCK: '1'})
    try {
      const put = (offset: number) =>
        fetch(`${server.url}/__test/clock`, {method: 'PUT', headers: {'content-type': 'application/json'}, body: JSON.stringify({offset_seconds: offset})})
      const answers: Record<string, number> = {}
      for (const offset of [1e300, -1e300, 3.2e9, -3.2e9, 3e9, 0]) answers[offset] = (await put(offset)).status
      const refused = await put(1e300)
      const body = (await refused.json()) as {error: {code: string; message: string}}
      const token = await fetch(`${server.url}/api/v1/auth/me`, {headers: {authorization: 'Bearer ndat_x'}})
      console.log(`      test clock offsets: ${JSON.stringify(answers)}; afterwards an authenticated request → ${token.status}`)
      expect(answers).to.deep.equal({'1e+300': 400, '-1e+300': 400, '3200000000': 400, '-3200000000': 400, '3000000000': 204, '0': 204})
      expect(body.error.code).to.equal('invalid_input')
      expect(body.error.message).to.match(/^offset_seconds must be a number of seconds from -3153600000 to 3153600000/)
      expect(token.status).to.equal(401)
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
  })

  it('enables PUT /__test/clock only with NDCLI_SERVER_TEST_CLOCK=1', async () => {
    for (const [env, status] of [[{}, 404], [{NDCLI_SERVER_TEST_CLOCK: '1'}, 204]] as const) {
      const server = await startCli(storage, env)
      const response = await fetch(`${server.url}/__test/clock`, {
        method: 'PUT',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({offset_seconds: 3600}),
      })
      server.child.kill('SIGINT')
      expect(response.status).to.equal(status)
      expect(await server.exited).to.equal(0)
    }
  })

  // Refused after the store is opened: exit 1.
  const failures: Array<[string, string[], number, RegExp]> = [
    ['a bad role', ['member', 'add', '--org', 'ops', '--email', 'a@b.c', '--role', 'admin'], 1, /^Error: The role must be one of: superuser, read-write, read-only\.\n$/],
    ['an unknown organization', ['member', 'add', '--org', 'nowhere', '--email', 'a@b.c', '--role', 'read-only'], 1, /^Error: There is no organization with the slug "nowhere"\.\n$/],
    ['a bad slug', ['org', 'add', '--slug', 'Bad Slug'], 1, /^Error: The slug "Bad Slug" is not valid/],
    ['a bad email', ['user', 'add', '--email', 'nobody', '--password', 'x'], 1, /^Error: "nobody" is not an email address\.\n$/],
  ]
  for (const [label, args, status, stderr] of failures) {
    it(`${label} → exit ${status} with one "Error:" line`, () => {
      const result = cli([...args, ...storage])
      expect(result.stderr).to.match(stderr)
      expect(result.status).to.equal(status)
    })
  }

  it('refuses a second user with the same email (case-insensitive)', () => {
    expect(cli(['user', 'add', '--email', 'a@b.c', '--password', 'x', ...storage]).status).to.equal(0)
    const again = cli(['user', 'add', '--email', 'A@B.C', '--password', 'y', ...storage])
    expect([again.status, again.stderr]).to.deep.equal([1, 'Error: A user with the email a@b.c already exists.\n'])
  })
})

describe('ndcli-server command line: usage, help, errors before any storage', function () {
  let dataDir: string

  before(ensureBuilt)
  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'ndcli-server-cli-')), 'fresh', 'data')
  })
  afterEach(() => rmSync(dirname(dirname(dataDir)), {recursive: true, force: true}))

  const usageErrors: Array<[string, string[], RegExp]> = [
    ['no command', [], /^$/],
    ['an unknown command', ['user', 'remove'], /^Error: unknown command "user remove"\. Run 'ndcli-server --help' for the commands\.\n$/],
    ['an unknown option', ['org', 'add', '--slug', 'x', '--colour'], /^Error: Unknown option '--colour'\. Run 'ndcli-server org add --help' for usage\.\n$/],
    ['a missing option', ['org', 'add'], /^Error: --slug is required\. Run 'ndcli-server org add --help' for usage\.\n$/],
    ['both password options', ['user', 'add', '--email', 'a@b.c', '--password', 'x', '--password-stdin'], /^Error: give either --password or --password-stdin, not both/],
    ['a bad port', ['start', '--port', 'http'], /^Error: --port must be a number from 0 to 65535, got "http"/],
    ['a public URL that is no URL', ['start', '--public-url', 'ndcli.example.com'], /^Error: --public-url must be an http or https URL such as https:\/\/ndcli\.example\.com, got "ndcli\.example\.com"\. Run 'ndcli-server start --help' for usage\.\n$/],
    ['a public URL of another scheme', ['start', '--public-url', 'ftp://ndcli.example.com'], /^Error: --public-url must start with https:\/\/ or http:\/\/, got "ftp:/],
    ['a public URL with a query', ['start', '--public-url', 'https://ndcli.example.com/?a=1'], /^Error: --public-url must not have a query or fragment/],
    ['a public URL with a fragment', ['start', '--public-url', 'https://ndcli.example.com/#top'], /^Error: --public-url must not have a query or fragment/],
    ['a bad --trust-proxy', ['start', '--trust-proxy', 'everyone'], /^Error: --trust-proxy must be a number of proxy hops \(e\.g\. 1\) or proxy addresses/],
  ]
  for (const [label, args, stderr] of usageErrors) {
    it(`${label} → exit 2 with one "Error:" line`, () => {
      const result = cli(args.length > 0 ? [...args, '--data-dir', dataDir] : [])
      expect(result.stderr).to.match(stderr)
      expect(result.status).to.equal(2)
    })
  }

  it('a bad NDCLI_PUBLIC_URL or NDCLI_TRUST_PROXY is a usage error naming the variable', () => {
    const badUrl = cli(['start', '--data-dir', dataDir], {env: {NDCLI_PUBLIC_URL: 'https://x.example/?q'}})
    expect([badUrl.status, badUrl.stderr]).to.deep.equal([2, `Error: NDCLI_PUBLIC_URL must not have a query or fragment, got "https://x.example/?q". Run 'ndcli-server start --help' for usage.\n`])
    const badProxy = cli(['start', '--data-dir', dataDir], {env: {NDCLI_TRUST_PROXY: '10.0.0.0/99'}})
    expect(badProxy.status).to.equal(2)
    expect(badProxy.stderr).to.match(/^Error: NDCLI_TRUST_PROXY must be a number of proxy hops/)
  })

  it('warns at start on a non-loopback address without --public-url; not with it, and the issuer is then the public URL', async () => {
    const open = await startCli(['--host', '0.0.0.0', '--data-dir', dataDir])
    const url = open.url.replace('0.0.0.0', '127.0.0.1')
    expect((await fetch(`${url}/readyz`)).status).to.equal(200)
    open.child.kill('SIGTERM')
    await open.exited
    expect(open.stderr()).to.include('"level":40').and.include('without --public-url or --trust-proxy')

    const fixed = await startCli(['--host', '0.0.0.0', '--data-dir', dataDir], {NDCLI_PUBLIC_URL: 'https://ndcli.example.com'})
    const metadata = (await (await fetch(`${fixed.url.replace('0.0.0.0', '127.0.0.1')}/.well-known/oauth-authorization-server`)).json()) as {issuer: string}
    fixed.child.kill('SIGTERM')
    await fixed.exited
    expect(metadata.issuer).to.equal('https://ndcli.example.com')
    expect(fixed.stderr()).not.to.include('without --public-url')

    const loopback = await startCli(['--data-dir', dataDir])
    loopback.child.kill('SIGTERM')
    await loopback.exited
    expect(loopback.stderr()).not.to.include('without --public-url')
  })

  for (const command of [['start'], ['user', 'add'], ['org', 'add'], ['member', 'add']]) {
    it(`${command.join(' ')} --help prints its usage and exits 0`, () => {
      const result = cli([...command, '--help'])
      expect(result.status).to.equal(0)
      expect(result.stdout).to.include(`Usage: ndcli-server ${command.join(' ')}`).and.include('--data-dir')
    })
  }

  it('reports an address in use as one line and exit 1', async () => {
    const server = await startCli(['--data-dir', dataDir])
    const port = new URL(server.url).port
    const clash = cli(['start', '--port', port, '--data-dir', dataDir])
    server.child.kill('SIGTERM')
    await server.exited
    expect(clash.status).to.equal(1)
    expect(clash.stderr.split('\n').filter((line) => line.startsWith('Error: '))).to.have.length(1)
  })
})
