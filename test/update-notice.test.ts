/**
 * The update notice (src/update-notice.ts) through the real bin/run.js, against a registry stub
 * on loopback that serves the package's dist-tags: nothing here reaches outside.
 */
import {expect} from 'chai'
import {existsSync, readFileSync} from 'node:fs'
import {readFile, utimes} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {isolatedDirs, runBinary} from '@ndcli/core/testing'

import {BIN, waitFor} from './support/cli.js'

const {version: CURRENT} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}
const NOTICE = `Warning: ndcli update available from ${CURRENT} to 99.0.0.\n`

describe('update notice', () => {
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  let registry: Server
  let feed: string
  let requests: string[]
  let latest: string

  before(async () => {
    registry = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`)
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({name: 'ndcli', 'dist-tags': {latest}}))
    })
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve))
    feed = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`
  })
  after(() => new Promise((resolve) => registry.close(resolve)))
  beforeEach(async () => {
    dirs = await isolatedDirs()
    requests = []
    latest = '99.0.0'
  })
  afterEach(() => dirs.cleanup())

  const cacheFile = () => join(dirs.env.NDCLI_CACHE_DIR!, 'version')
  /** `ndcli --version` with the stub as the feed, outside CI unless `env` says otherwise. */
  const version = (env: Record<string, string | undefined> = {}) =>
    runBinary(BIN, ['--version'], {env: {...dirs.env, NDCLI_NPM_REGISTRY: feed, CI: undefined, NDCLI_SKIP_NEW_VERSION_CHECK: undefined, ...env}})
  /** The background check has written the stub's dist-tags. */
  const checked = () => waitFor('the background check to write the cache', () => (existsSync(cacheFile()) && readFileSync(cacheFile(), 'utf8').includes('"latest"') ? true : undefined))

  it('checks in the background on the first run, then warns on stderr; stdout stays the data', async () => {
    const first = await version()
    expect([first.exitCode, first.stderr]).to.deep.equal([0, ''])
    await checked()
    expect(requests).to.deep.equal(['GET /ndcli'])
    expect(JSON.parse(await readFile(cacheFile(), 'utf8'))).to.deep.equal({latest: '99.0.0', current: CURRENT})

    const second = await version()
    expect([second.exitCode, second.stdout, second.stderr]).to.deep.equal([0, first.stdout, NOTICE])
    expect(second.stdout).to.match(/^ndcli\/\d+\.\d+\.\d+ /)
    expect(requests, 'a fresh cache is not checked again').to.have.length(1)
  })

  it('checks again once the cache is older than a day', async () => {
    await version()
    await checked()
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000)
    latest = '99.0.1'
    await utimes(cacheFile(), twoDaysAgo, twoDaysAgo)
    const stale = await version()
    // The warning comes from the cache as it was; the new check updates it for the next run.
    expect(stale.stderr).to.equal(NOTICE)
    await waitFor('the second check', () => (readFileSync(cacheFile(), 'utf8').includes('99.0.1') ? true : undefined))
    expect(requests).to.deep.equal(['GET /ndcli', 'GET /ndcli'])
  })

  it('says nothing when the feed has no newer release', async () => {
    latest = CURRENT
    await version()
    await checked()
    expect((await version()).stderr).to.equal('')
  })

  for (const [title, env] of [
    ['NDCLI_SKIP_NEW_VERSION_CHECK=true', {NDCLI_SKIP_NEW_VERSION_CHECK: 'true'}],
    ['CI=true', {CI: 'true'}],
    ['CI=1', {CI: '1'}],
  ] as const) {
    it(`${title}: no notice and no check, even with a newer release cached`, async () => {
      await version()
      await checked()
      const stale = new Date(Date.now() - 2 * 86_400_000)
      await utimes(cacheFile(), stale, stale)
      const result = await version(env)
      expect([result.exitCode, result.stderr]).to.deep.equal([0, ''])
      // Give a check that should not have started the time to ask.
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(requests).to.have.length(1)
    })
  }

  it('with no feed configured (a clone) nothing is checked', async () => {
    const result = await version({NDCLI_NPM_REGISTRY: undefined})
    expect([result.exitCode, result.stderr]).to.deep.equal([0, ''])
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(existsSync(cacheFile())).to.equal(false)
    expect(requests).to.deep.equal([])
  })

  it('a feed that does not answer leaves every run silent', async () => {
    const result = await version({NDCLI_NPM_REGISTRY: 'http://127.0.0.1:9'})
    expect([result.exitCode, result.stderr]).to.deep.equal([0, ''])
    await waitFor('the check to touch the cache', () => (existsSync(cacheFile()) ? true : undefined))
    expect((await version({NDCLI_NPM_REGISTRY: 'http://127.0.0.1:9'})).stderr).to.equal('')
  })
})
