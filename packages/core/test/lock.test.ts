import {expect} from 'chai'
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CredentialStore} from '../src/store/credentials.js'
import {LockTimeout, withFileLock} from '../src/store/lock.js'

describe('the refresh lock file', () => {
  let root: string
  let path: string
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ndcli-lock-'))
    path = join(root, 'credentials', 'refresh.lock')
  })
  afterEach(() => rm(root, {recursive: true, force: true}))

  it('lets one holder in at a time, in a 0700 directory, and removes the file after', async () => {
    let inside = 0
    let most = 0
    await Promise.all(
      Array.from({length: 5}, () =>
        withFileLock(path, async () => {
          most = Math.max(most, ++inside)
          const owner = JSON.parse(await readFile(path, 'utf8')) as {pid: number}
          expect(owner.pid).to.equal(process.pid)
          await new Promise((resolve) => setTimeout(resolve, 20))
          inside--
        }, {pollMs: 5}),
      ),
    )
    expect(most).to.equal(1)
    expect((await stat(join(root, 'credentials'))).mode & 0o777).to.equal(0o700)
    expect(await stat(path).catch((error: NodeJS.ErrnoException) => error.code)).to.equal('ENOENT')
  })

  it('releases the lock when the work fails', async () => {
    const failing = await withFileLock(path, async () => {
      throw new Error('boom')
    }).catch((error: Error) => error.message)
    expect(failing).to.equal('boom')
    expect(await withFileLock(path, async () => 'again')).to.equal('again')
  })

  it('takes over a lock older than the stale age even if its pid is alive', async () => {
    await withFileLock(path, async () => undefined)
    await writeFile(path, JSON.stringify({pid: process.ppid, acquired_at: Date.now() - 10_000}))
    expect(await withFileLock(path, async () => 'taken', {staleMs: 5_000})).to.equal('taken')
  })

  it('gives up on a live holder after the timeout, naming the file in the error and its hint', async () => {
    await withFileLock(path, async () => undefined)
    await writeFile(path, JSON.stringify({pid: process.ppid, acquired_at: Date.now()}))
    const error = await withFileLock(path, async () => undefined, {timeoutMs: 100}).catch((caught: unknown) => caught)
    expect(error).to.be.instanceOf(LockTimeout)
    const store = new CredentialStore(root, {storage: 'file', lock: {timeoutMs: 100}})
    const wrapped = (await store.withRefreshLock(async () => undefined).catch((caught: unknown) => caught)) as {code: string; hint: string}
    expect(wrapped.code).to.equal('session_locked')
    expect(wrapped.hint).to.include(path)
  })
})
