/**
 * Login sessions in the OS keyring, against a real Secret Service (.ci/run starts a throwaway
 * gnome-keyring in a D-Bus session and sets NDCLI_REQUIRE_KEYRING=1, so the suite cannot skip
 * there), and the file fallback: bus unset, a bus that never answers, a locked keyring, `file`.
 */
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {lstat, mkdir, readdir, readFile, stat, symlink, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:net'
import {dirname, join} from 'node:path'

import {isolatedDirs, runBinary} from '@ndcli/core/testing'
import {seedAccount, startServerProcess, submitActivation, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, login, sessionsPath, startLogin, storedSession} from './support/cli.js'

const bus = process.env.DBUS_SESSION_BUS_ADDRESS

function secretToolLookup(account: string): string | undefined {
  try {
    return execFileSync('secret-tool', ['lookup', 'service', 'ndcli', 'username', account], {encoding: 'utf8'}) || undefined
  } catch {
    return undefined
  }
}

/** Every file's text under `dir`. */
async function allFiles(dir: string): Promise<Array<{path: string; text: string}>> {
  const found: Array<{path: string; text: string}> = []
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile()) found.push({path: join(entry.parentPath, entry.name), text: await readFile(join(entry.parentPath, entry.name), 'utf8')})
  }
  return found
}

describe('ndcli sessions in the OS keyring', function () {
  this.timeout(60_000)
  let server: ServerProcess
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  let env: Record<string, string>
  let account: string
  const ndcli = (args: string[], extraEnv: Record<string, string> = {}) => runBinary(BIN, args, {env: {...env, ...extraEnv}})

  before(async function () {
    // A Secret Service answers on the bus: secret-tool can store and clear an item.
    let reachable = false
    if (bus) {
      try {
        execFileSync('secret-tool', ['store', '--label', 'ndcli probe', 'service', 'ndcli-probe', 'username', 'probe'], {input: 'x', timeout: 5000})
        execFileSync('secret-tool', ['clear', 'service', 'ndcli-probe', 'username', 'probe'], {timeout: 5000})
        reachable = true
      } catch {
        reachable = false
      }
    }
    if (!reachable) {
      if (process.env.NDCLI_REQUIRE_KEYRING === '1') throw new Error('NDCLI_REQUIRE_KEYRING=1 but no Secret Service answers on DBUS_SESSION_BUS_ADDRESS')
      console.log('    (skipped: no Secret Service reachable; run inside dbus-run-session with an unlocked gnome-keyring, see .ci/run)')
      this.skip()
    }
    server = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1', NDCLI_SERVER_TEST_CLOCK: '1'}})
    await seedAccount(server, {...ACCOUNT, orgs: [{slug: 'acme', role: 'superuser'}]})
    account = `${ACCOUNT.email}@${new URL(server.url).host}`
  })
  after(() => server?.stop())
  beforeEach(async () => {
    dirs = await isolatedDirs()
    // '' = unset: the default, the keyring.
    env = {...dirs.env, NDCLI_API_URL: server.url, NDCLI_AUTH_STORAGE: ''}
  })
  afterEach(async () => {
    try {
      execFileSync('secret-tool', ['clear', 'service', 'ndcli', 'username', account], {timeout: 5000})
    } catch {
      // Nothing stored, or the keyring is locked (the last test).
    }
    await server?.shiftClock(0)
    await dirs?.cleanup()
  })

  it('logs in into the keyring: no secret in any file; status, token create, refresh and logout work', async () => {
    const result = await login(server, {...env, DEBUG: '*'})
    expect(result.stderr).not.to.match(/plain text|Warning:/)
    const item = JSON.parse(secretToolLookup(account)!) as {refresh_token: string; access_token: string; api_url: string}
    expect(result.stderr, 'DEBUG=* output').not.to.include(item.refresh_token).and.not.to.include(item.access_token)
    expect(item.api_url).to.equal(server.url)
    for (const file of await allFiles(dirs.root)) {
      expect(file.text, file.path).not.to.include(item.refresh_token)
      expect(file.text, file.path).not.to.include(item.access_token)
    }
    expect(await storedSession(env, server.url)).to.equal(undefined)

    const status = await ndcli(['auth', 'status', '-f', 'json'])
    expect(status.exitCode, status.stderr).to.equal(0)
    expect(JSON.parse(status.stdout)).to.include({email: ACCOUNT.email, storage: 'keyring'})
    const table = await ndcli(['auth', 'status'])
    expect(table.stdout + table.stderr, 'the table names where the session is').to.include('keyring')

    const created = await ndcli(['auth', 'token', 'create', '--name', 'kr-test', '--scope', 'ro', '--org', 'acme', '--quiet'])
    expect(created.exitCode, created.stderr).to.equal(0)

    // Past the access token's hour: the next command refreshes, rewriting the item in place.
    await server.shiftClock(2 * 3600)
    const refreshed = await ndcli(['auth', 'status', '-f', 'json'])
    expect(refreshed.exitCode, refreshed.stderr).to.equal(0)
    const after = JSON.parse(secretToolLookup(account)!) as {refresh_token: string}
    expect(after.refresh_token).not.to.equal(item.refresh_token)

    const logout = await ndcli(['auth', 'logout'])
    expect(logout.exitCode, logout.stderr).to.equal(0)
    expect(secretToolLookup(account)).to.equal(undefined)
    expect((await ndcli(['auth', 'status'])).exitCode).to.equal(3)
  })

  it('auth.storage file stores the session in the 0600 file without a warning', async () => {
    const result = await login(server, {...env, NDCLI_AUTH_STORAGE: 'file'})
    expect(result.stderr).not.to.match(/Warning/)
    expect((await stat(sessionsPath(env))).mode & 0o777).to.equal(0o600)
    expect(secretToolLookup(account)).to.equal(undefined)
    const status = await ndcli(['auth', 'status', '-f', 'json'], {NDCLI_AUTH_STORAGE: 'file'})
    expect(JSON.parse(status.stdout)).to.include({storage: `file ${sessionsPath(env)}`})
  })

  it('without a bus it falls back to the file with one warning, and auth migrate moves it into the keyring', async () => {
    const result = await login(server, {...env, DBUS_SESSION_BUS_ADDRESS: ''})
    expect(result.stderr.match(/Warning/g)).to.have.length(1)
    expect(result.stderr).to.include('plain text').and.include('NDCLI_AUTH_STORAGE=file').and.include('auth migrate')
    expect(await storedSession(env, server.url)).to.have.property('email', ACCOUNT.email)

    const noKeyring = await ndcli(['auth', 'migrate'], {DBUS_SESSION_BUS_ADDRESS: ''})
    expect(noKeyring.exitCode).to.equal(1)
    expect(noKeyring.stderr).to.match(/^Error: Cannot migrate: .*Nothing was changed\.\n$/)
    expect(await storedSession(env, server.url)).to.have.property('email', ACCOUNT.email)

    const migrated = await ndcli(['auth', 'migrate'])
    expect(migrated.exitCode, migrated.stderr).to.equal(0)
    expect(migrated.stderr).to.include('into the OS keyring')
    await stat(sessionsPath(env)).then(
      () => expect.fail('the file is still there'),
      (error: NodeJS.ErrnoException) => expect(error.code).to.equal('ENOENT'),
    )
    expect(JSON.parse((await ndcli(['auth', 'status', '-f', 'json'])).stdout)).to.include({storage: 'keyring'})
    expect((await ndcli(['auth', 'logout'])).exitCode).to.equal(0)
  })

  it('decides within ~2 s when the bus accepts connections and never answers', async () => {
    const socketPath = join(dirs.root, 'frozen-bus')
    const frozen: Server = createServer(() => {})
    await new Promise<void>((resolve) => frozen.listen(socketPath, resolve))
    try {
      await login(server, {...env, NDCLI_AUTH_STORAGE: 'file'})
      const started = Date.now()
      const result = await ndcli(['auth', 'migrate'], {DBUS_SESSION_BUS_ADDRESS: `unix:path=${socketPath}`})
      expect(result.exitCode).to.equal(1)
      expect(result.stderr).to.include('did not answer')
      expect(Date.now() - started).to.be.below(5000)
    } finally {
      frozen.close()
    }
  })

  it('rejects an auth.storage other than keyring or file (exit 2)', async () => {
    const result = await ndcli(['auth', 'status'], {NDCLI_AUTH_STORAGE: 'vault'})
    expect(result.exitCode).to.equal(2)
    expect(result.stderr).to.include('keyring').and.include('file')
    const set = await ndcli(['config', 'set', 'auth.storage', 'vault'])
    expect(set.exitCode).to.equal(2)
  })

  it('auth token list under NDCLI_TOKEN does not load the keyring package', async () => {
    const session = await login(server, env)
    expect(session.exitCode).to.equal(0)
    const created = await ndcli(['auth', 'token', 'create', '--name', 'probe', '--scope', 'ro', '--org', 'acme', '--quiet'])
    const token = created.stdout.trim()
    // Control: a session command does load it (so the probe sees it when it is loaded).
    const withSession = await ndcli(['auth', 'status'], {NODE_DEBUG: 'module'})
    expect(withSession.stderr).to.include('@napi-rs/keyring')
    const list = await runBinary(BIN, ['auth', 'token', 'list', '-f', 'json'], {env: {...env, NDCLI_TOKEN: token, NODE_DEBUG: 'module'}})
    expect(list.exitCode, list.stderr.slice(-500)).to.equal(0)
    expect(list.stderr).not.to.include('@napi-rs/keyring')
    await ndcli(['auth', 'logout'])
  })

  // Last: once locked, the throwaway keyring stays locked (unlocking it needs a prompt).
  it('falls back to the file with a warning when the keyring is locked', async () => {
    execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'])
    const result = await login(server, env)
    expect(result.stderr).to.include('plain text')
    expect(await storedSession(env, server.url)).to.have.property('email', ACCOUNT.email)
  })
})

// The same login, status, token create, refresh and logout with no keyring at all (no bus): the
// default storage falls back to the 0600 file. Runs everywhere, so the fallback path stays covered
// on every Node line, not only where a Secret Service runs.
describe('ndcli sessions when no keyring is available (the file fallback)', function () {
  this.timeout(60_000)
  let server: ServerProcess
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  let env: Record<string, string>
  const ndcli = (args: string[]) => runBinary(BIN, args, {env})

  before(async () => {
    server = await startServerProcess({env: {NDCLI_SERVER_DEVICE_INTERVAL: '1', NDCLI_SERVER_TEST_CLOCK: '1'}})
    await seedAccount(server, {...ACCOUNT, orgs: [{slug: 'acme', role: 'superuser'}]})
  })
  after(() => server?.stop())
  beforeEach(async () => {
    dirs = await isolatedDirs()
    // '' = unset: the default storage (keyring), with no D-Bus session to reach one.
    env = {...dirs.env, NDCLI_API_URL: server.url, NDCLI_AUTH_STORAGE: '', DBUS_SESSION_BUS_ADDRESS: ''}
  })
  afterEach(async () => {
    await server?.shiftClock(0)
    await dirs?.cleanup()
  })

  it('logs in into the 0600 file with one warning; status, token create, refresh and logout work', async () => {
    const result = await login(server, env)
    expect(result.exitCode, result.stderr).to.equal(0)
    expect(result.stderr.match(/Warning/g)).to.have.length(1)
    const stored = await storedSession(env, server.url)
    expect(stored).to.have.property('email', ACCOUNT.email)
    expect((await stat(sessionsPath(env))).mode & 0o777).to.equal(0o600)

    const status = await ndcli(['auth', 'status', '-f', 'json'])
    expect(status.exitCode, status.stderr).to.equal(0)
    expect(JSON.parse(status.stdout)).to.include({email: ACCOUNT.email, storage: `file ${sessionsPath(env)}`})
    expect(status.stderr, 'the warning is said once, when the session lands in the file').not.to.include('Warning')

    const created = await ndcli(['auth', 'token', 'create', '--name', 'fallback', '--scope', 'ro', '--org', 'acme', '--quiet'])
    expect(created.exitCode, created.stderr).to.equal(0)

    await server.shiftClock(2 * 3600)
    const refreshed = await ndcli(['auth', 'status', '-f', 'json'])
    expect(refreshed.exitCode, refreshed.stderr).to.equal(0)
    expect((await storedSession(env, server.url))?.refresh_token).not.to.equal(stored?.refresh_token)

    expect((await ndcli(['auth', 'logout'])).exitCode).to.equal(0)
    expect(await storedSession(env, server.url)).to.equal(undefined)
    expect((await ndcli(['auth', 'status'])).exitCode).to.equal(3)
  })

  it('logs no secret with DEBUG=*, through login, a refresh and status', async () => {
    const debugEnv = {...env, DEBUG: '*'}
    const result = await login(server, debugEnv)
    const first = (await storedSession(env, server.url))!
    await server.shiftClock(2 * 3600)
    const refreshed = await runBinary(BIN, ['auth', 'status', '-f', 'json'], {env: debugEnv})
    expect(refreshed.exitCode, refreshed.stderr).to.equal(0)
    const second = (await storedSession(env, server.url))!
    expect(second.refresh_token, 'the status refreshed the session').not.to.equal(first.refresh_token)
    expect(refreshed.stderr, 'debug output is on').to.match(/ndcli|oclif/)
    for (const secret of [first.refresh_token, first.access_token, second.refresh_token, second.access_token]) {
      expect(result.stderr + result.stdout).not.to.include(secret)
      expect(refreshed.stderr + refreshed.stdout).not.to.include(secret)
    }
  })

  it('refuses to write the session file through a symbolic link, leaving its target alone', async () => {
    const elsewhere = join(dirs.root, 'elsewhere.json')
    await writeFile(elsewhere, '{"sessions": {}}\n')
    await mkdir(dirname(sessionsPath(env)), {recursive: true, mode: 0o700})
    await symlink(elsewhere, sessionsPath(env))
    const cli = startLogin({...env, NDCLI_AUTH_STORAGE: 'file'})
    await submitActivation(server.url, {userCode: await cli.userCode(), email: ACCOUNT.email, password: ACCOUNT.password, action: 'approve'})
    const result = await cli.exited
    expect(result.exitCode).not.to.equal(0)
    expect(result.stderr).to.match(/^Error: .*symbolic link/m)
    expect(await readFile(elsewhere, 'utf8')).to.equal('{"sessions": {}}\n')
    expect((await lstat(sessionsPath(env))).isSymbolicLink()).to.equal(true)
  })
})
