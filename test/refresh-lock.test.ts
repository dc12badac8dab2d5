/**
 * Concurrent refreshes: the control plane ends a session whose rotated refresh token is presented
 * again (RFC 9700 §4.14.2), so ndcli processes sharing one login (parallel CI steps) must not
 * refresh with the same token at once. Real binaries against the real control plane.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, utimes, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {expect} from 'chai'

import {CredentialStore} from '@ndcli/core'
import {isolatedDirs, runBinary} from '@ndcli/core/testing'
import {seedAccount, startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, login, storedSession} from './support/cli.js'

const HOUR = 3600
const PARALLEL = 6

describe('session refresh from parallel ndcli processes', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  let env: Record<string, string>
  const ndcli = (args: string[]) => runBinary(BIN, args, {env})
  const lockPath = () => join(env.NDCLI_DATA_DIR!, 'credentials', 'refresh.lock')
  /** How many refreshes reached the server so far (its log has a line per request). */
  const refreshesSeen = () => server.log().split('\n').filter((line) => line.includes('"path":"/oauth/token"')).length

  before(async () => {
    // The test clock ages the access token on the server's side only.
    server = await startServerProcess({env: {NDCLI_SERVER_TEST_CLOCK: '1', NDCLI_SERVER_DEVICE_INTERVAL: '1'}})
    await seedAccount(server, ACCOUNT)
  })
  beforeEach(async () => {
    dirs = await isolatedDirs()
    env = {NDCLI_API_URL: server.url, ...dirs.env}
    await login(server, env)
  })
  afterEach(async () => {
    await server.shiftClock(0)
    await dirs.cleanup()
  })
  after(() => server?.stop())

  const meStatus = async (token: string) => (await fetch(`${server.url}/api/v1/auth/me`, {headers: {authorization: `Bearer ${token}`}})).status

  /** N parallel `auth token list`; every one succeeds, exactly one refresh is sent, and the session lives on. */
  async function expectParallelListsSucceed(): Promise<void> {
    const before = (await storedSession(env, server.url))!
    const tokenRequestsBefore = refreshesSeen()
    const results = await Promise.all(Array.from({length: PARALLEL}, () => ndcli(['auth', 'token', 'list', '-f', 'json'])))
    const tokenRequests = refreshesSeen() - tokenRequestsBefore
    console.log(`      ${PARALLEL} parallel processes: ${results.filter((result) => result.exitCode === 0).length} succeeded, ${tokenRequests} refresh request(s) sent`)
    for (const result of results) expect(result.exitCode, result.stderr).to.equal(0)
    expect(tokenRequests).to.equal(1)
    const after = (await storedSession(env, server.url))!
    expect(after.refresh_token).not.to.equal(before.refresh_token)
    expect(await meStatus(after.access_token)).to.equal(200)
    const status = await ndcli(['auth', 'status', '-f', 'json'])
    expect(status.exitCode, status.stderr).to.equal(0)
    expect(existsSync(lockPath())).to.equal(false)
  }

  it(`${PARALLEL} processes whose access token the server refuses (401): one refreshes, the others use its tokens`, async () => {
    // The server's clock moves past the access token's lifetime; the CLI's does not, so each process first gets a 401.
    await server.shiftClock(2 * HOUR)
    await expectParallelListsSucceed()
  })

  it(`${PARALLEL} processes that see the stored access token lapsed: one refreshes, the others use its tokens`, async () => {
    const store = new CredentialStore(env.NDCLI_DATA_DIR!, {storage: 'file'})
    const session = (await store.get(server.url))!
    await store.save(server.url, {...session, expires_at: new Date(Date.now() - 60_000).toISOString()})
    await server.shiftClock(2 * HOUR)
    await expectParallelListsSucceed()
  })

  it('recovers a lock left by a process that died, and one its creator never wrote', async () => {
    await mkdir(join(env.NDCLI_DATA_DIR!, 'credentials'), {recursive: true})
    // A pid that is certainly gone: a process that already exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
    await writeFile(lockPath(), JSON.stringify({pid: Number(dead.stdout), acquired_at: Date.now()}))
    await server.shiftClock(2 * HOUR)
    const first = await ndcli(['auth', 'token', 'list', '-f', 'json'])
    expect(first.exitCode, first.stderr).to.equal(0)
    expect(existsSync(lockPath())).to.equal(false)

    await writeFile(lockPath(), '')
    const old = new Date(Date.now() - 10_000)
    await utimes(lockPath(), old, old)
    await server.shiftClock(4 * HOUR)
    const second = await ndcli(['auth', 'token', 'list', '-f', 'json'])
    expect(second.exitCode, second.stderr).to.equal(0)
    expect(existsSync(lockPath())).to.equal(false)
  })
})
