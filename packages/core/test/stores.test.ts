import {expect} from 'chai'
import {mkdtemp, readdir, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ConfigStore} from '../src/store/config.js'
import {CredentialStore} from '../src/store/credentials.js'

describe('config and credential stores', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ndcli-store-'))
  })
  afterEach(() => rm(root, {recursive: true, force: true}))

  it('writes the session file with mode 0600 inside a 0700 directory, atomically', async () => {
    const store = new CredentialStore(join(root, 'data'))
    const session = {access_token: 'a'.repeat(40), refresh_token: 'r'.repeat(40), expires_at: '2030-01-01T00:00:00.000Z', email: 'ada@example.com'}
    await store.save('http://127.0.0.1:4680', session)
    expect((await stat(store.path)).mode & 0o777).to.equal(0o600)
    expect((await stat(join(root, 'data', 'credentials'))).mode & 0o777).to.equal(0o700)
    expect(await readdir(join(root, 'data', 'credentials'))).to.deep.equal(['sessions.json'])
    expect(await store.get('http://127.0.0.1:4680')).to.deep.equal(session)
    expect(await store.get('http://127.0.0.1:9999')).to.equal(undefined)
    expect(await store.delete('http://127.0.0.1:4680')).to.equal(true)
    expect(await store.get('http://127.0.0.1:4680')).to.equal(undefined)
  })

  it('validates and normalizes settings', async () => {
    const config = new ConfigStore(join(root, 'config'))
    expect(await config.set('output.format', 'JSON')).to.equal('json')
    expect(await config.set('api.url', 'https://cp.example.com/')).to.equal('https://cp.example.com')
    expect(await config.read()).to.deep.equal({'output.format': 'json', 'api.url': 'https://cp.example.com'})
    await config.unset('api.url')
    expect(await config.get('api.url')).to.equal(undefined)
  })

  for (const [key, value, message] of [
    ['output.format', 'xml', /one of: table, json, simple, detailed/],
    ['api.url', 'ftp://x', /http:\/\/ or https:\/\//],
    ['api.url', 'not a url', /http:\/\/ or https:\/\//],
  ] as const) {
    it(`refuses ${key}=${value} with exit 2`, async () => {
      const config = new ConfigStore(join(root, 'config'))
      const error = await config.set(key, value).then(() => undefined, (error_: unknown) => error_ as {exitCode: number; message: string})
      expect(error?.exitCode).to.equal(2)
      expect(error?.message).to.match(message)
    })
  }
})
