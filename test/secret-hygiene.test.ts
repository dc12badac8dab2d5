/**
 * Secret hygiene over a whole session, with every debug switch on: log in
 * through the device flow (the real `ndcli auth login --no-browser`), create
 * two PATs, list, status under NDCLI_TOKEN, refresh the session by moving the
 * server clock past the access-token TTL, revoke, log out. The raw PATs and
 * session tokens may appear only where they must — the create command's stdout
 * and the 0600 credential file while logged in — and nowhere else: not on any
 * stderr (debug output included), in the server's log, in config or cache
 * files, or in the server's database files read as bytes (-wal and -shm too).
 *
 * Debug: DEBUG=* turns on oclif's debug output and the ApiClient's request
 * lines. The server has no log-level setting (`ndcli-server start` logs at
 * pino's `info`, its only level; packages/server/README.md), so its log is
 * taken as it is.
 */
import {expect} from 'chai'
import {readdir, readFile, stat} from 'node:fs/promises'
import {join, relative} from 'node:path'

import {isolatedDirs, runBinary, type CommandOutput} from '@ndcli/core/testing'
import {seedAccount, startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, login, sessionsPath, storedSession} from './support/cli.js'
import {tokenFrom} from './support/harness.js'

/** Every file under `dir`, as bytes, by path relative to `dir`. */
async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  let entries
  try {
    entries = await readdir(dir, {recursive: true, withFileTypes: true})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files
    throw error
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files.set(relative(dir, path), await readFile(path))
  }
  return files
}

describe('secret hygiene (a whole session with DEBUG=*)', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  /** Everything that was written anywhere, by a name saying where: `<step> stdout`, `server log`, `file data/…`, `database …`. */
  const places = new Map<string, Buffer>()
  const secrets: Record<string, string> = {}
  /** Where each secret must appear (and may): nowhere else. */
  const allowed: Record<string, string[]> = {}
  let debugOutput = ''

  const record = (step: string, output: Pick<CommandOutput, 'stdout' | 'stderr'>) => {
    places.set(`${step} stdout`, Buffer.from(output.stdout))
    places.set(`${step} stderr`, Buffer.from(output.stderr))
    debugOutput += output.stderr
  }
  const ndcli = async (step: string, args: string[], env: Record<string, string> = {}) => {
    const result = await runBinary(BIN, args, {env: {...dirs.env, NDCLI_API_URL: server.url, DEBUG: '*', ...env}})
    record(step, result)
    expect(result.exitCode, `${step}: ${result.stderr.slice(-2000)}`).to.equal(0)
    return result
  }
  /** The credential file while logged in: its tokens are allowed there, and only there. */
  const snapshotSession = async (step: string) => {
    const session = (await storedSession(dirs.env, server.url))!
    expect(session, `a session after ${step}`).to.be.an('object')
    expect((await stat(sessionsPath(dirs.env))).mode & 0o777).to.equal(0o600)
    const where = `credential file after ${step}`
    places.set(where, await readFile(sessionsPath(dirs.env)))
    for (const kind of ['access_token', 'refresh_token'] as const) {
      secrets[`${kind} (${step})`] = session[kind]
      allowed[`${kind} (${step})`] = [where]
    }
    return session
  }

  before(async () => {
    server = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1', NDCLI_SERVER_TEST_CLOCK: '1'}})
    await seedAccount(server, {...ACCOUNT, orgs: [{slug: 'acme', role: 'superuser'}]})
    dirs = await isolatedDirs()
    // A config file to inspect as well (its value is the default, so the outputs below are unchanged).
    await ndcli('config set', ['config', 'set', 'output.format', 'table'])

    record('auth login', await login(server, {...dirs.env, NDCLI_API_URL: server.url, DEBUG: '*'}))
    const first = await snapshotSession('login')

    const created = await ndcli('auth token create (table)', ['auth', 'token', 'create', '--name', 'ci-deploy', '--scope', 'rw', '--org', 'acme'])
    secrets['PAT ci-deploy'] = tokenFrom(created)
    allowed['PAT ci-deploy'] = ['auth token create (table) stdout']
    const createdJson = await ndcli('auth token create (json)', ['auth', 'token', 'create', '--name', 'monitor', '--scope', 'ro', '-f', 'json'])
    secrets['PAT monitor'] = (JSON.parse(createdJson.stdout) as {token: string}).token
    allowed['PAT monitor'] = ['auth token create (json) stdout']

    await ndcli('auth token list (session)', ['auth', 'token', 'list'])
    await ndcli('auth token list (PAT)', ['auth', 'token', 'list', '-f', 'detailed'], {NDCLI_TOKEN: secrets['PAT monitor']!})
    await ndcli('auth status (PAT)', ['auth', 'status', '-f', 'json'], {NDCLI_TOKEN: secrets['PAT ci-deploy']!})
    await ndcli('org list (PAT)', ['org', 'list'], {NDCLI_TOKEN: secrets['PAT ci-deploy']!})

    // Past the access token's lifetime (1 h): the next command refreshes the session.
    await server.shiftClock(2 * 3600)
    await ndcli('auth status (refresh)', ['auth', 'status'])
    const refreshed = await snapshotSession('refresh')
    expect(refreshed.access_token, 'the session was refreshed').not.to.equal(first.access_token)
    expect(refreshed.refresh_token, 'the refresh token was rotated').not.to.equal(first.refresh_token)

    await ndcli('auth token revoke', ['auth', 'token', 'revoke', 'ci-deploy', '--yes'])
    await ndcli('auth logout', ['auth', 'logout'])

    for (const [path, bytes] of await readTree(dirs.root)) places.set(`file ${path}`, bytes)
    // While the server runs, so the WAL has not been checkpointed away.
    for (const [path, bytes] of await readTree(server.dataDir)) places.set(`database ${path}`, bytes)
    places.set('server log', Buffer.from(server.log()))
  })
  after(async () => {
    await server?.stop()
    await dirs?.cleanup()
  })

  it('looked at real debug output, config, credential and database files (not vacuous)', () => {
    expect(debugOutput).to.match(/→ GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/tokens/)
    expect(debugOutput).to.match(/← 201 http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/tokens/)
    expect(debugOutput).to.match(/→ POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token/)
    expect(debugOutput, 'the authorization header was there, masked').to.include('"authorization":"[REDACTED]"')
    expect(debugOutput, "oclif's own debug output and the command's").to.match(/ oclif:main /).and.to.match(/ ndcli:auth:token:create /)
    expect(places.get('server log')!.toString()).to.include('request completed')
    const names = [...places.keys()]
    expect(names.filter((name) => name.startsWith('database ')), 'the SQLite files').to.have.length.above(0)
    expect(names.some((name) => /^database .*-wal$/.test(name)), `a -wal file among ${names.join(', ')}`).to.equal(true)
    expect(names.some((name) => name.startsWith('file config/')), 'a config file').to.equal(true)
    expect(Object.keys(secrets)).to.have.length(6)
  })

  it('every secret appears where it must, and nowhere else', () => {
    const report: Record<string, string[]> = {}
    for (const [label, secret] of Object.entries(secrets)) {
      // The whole value, and a piece of what no display shows (past the 12-character display prefix).
      const needles = [secret, secret.slice(12, 28)].map((text) => Buffer.from(text))
      report[label] = [...places].filter(([, bytes]) => needles.some((needle) => bytes.includes(needle))).map(([where]) => where)
    }
    const expected = Object.fromEntries(Object.keys(secrets).map((label) => [label, allowed[label]]))
    expect(report).to.deep.equal(expected)
  })

  it("DEBUG=ndcli* (the README's switch) shows the command's requests, masked, and not oclif's internals", async () => {
    const pat = secrets['PAT monitor']!
    const env = {...dirs.env, NDCLI_API_URL: server.url, NDCLI_TOKEN: pat}
    const shown = await runBinary(BIN, ['auth', 'token', 'list', '-f', 'json'], {env: {...env, DEBUG: 'ndcli*'}})
    expect(shown.exitCode, shown.stderr).to.equal(0)
    expect(shown.stderr).to.match(/ ndcli:auth:token:list → GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/tokens/)
    expect(shown.stderr).to.match(/ ndcli:auth:token:list ← 200 /)
    expect(shown.stderr, 'the authorization header, masked').to.include('"authorization":"[REDACTED]"')
    expect(shown.stderr).not.to.include(' oclif:')
    expect(shown.stderr).not.to.include(pat).and.not.to.include(pat.slice(12, 28))
    const quiet = await runBinary(BIN, ['auth', 'token', 'list', '-f', 'json'], {env})
    expect(quiet.exitCode, quiet.stderr).to.equal(0)
    expect(quiet.stderr, 'no debug line without DEBUG').to.equal('')
    expect(JSON.parse(quiet.stdout)).to.deep.equal(JSON.parse(shown.stdout))
  })

  it('logout left no credential file behind', () => {
    expect([...places.keys()].filter((name) => name.startsWith('file data/credentials/'))).to.deep.equal([])
  })
})
