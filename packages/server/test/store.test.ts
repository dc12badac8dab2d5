import {expect} from 'chai'
import {openStore, type Store} from '../src/db/index.js'
import {MIGRATIONS} from '../src/db/migrations.js'
import {backends, freshDatabase, type TestDatabase} from './backends.js'

/** The data-access module gives the same answers, in the same shapes, on both engines. */
backends('store: same values and order on every back end', (backend) => {
  let database: TestDatabase
  let store: Store

  beforeEach(async () => {
    database = await freshDatabase(backend)
    store = await openStore(database.storeOptions)
  })
  afterEach(async () => {
    await store.close()
    await database.drop()
  })

  it('records every migration version once, in order; opening again applies nothing', async () => {
    const first = await store.listAppliedMigrations()
    expect(first.map((row) => row.version)).to.deep.equal(MIGRATIONS.map((migration) => migration.version))
    const again = await openStore(database.storeOptions)
    try {
      expect(await again.listAppliedMigrations()).to.deep.equal(first)
    } finally {
      await again.close()
    }
  })

  it('returns rows in the shapes of the interface: strings, numbers and nulls', async () => {
    const createdAt = '2030-01-02T03:04:05.678Z'
    const user = await store.createUser({email: 'shape@example.com', name: null, passwordHash: 'h', createdAt})
    expect(await store.findUserById(user.id)).to.deep.equal({id: user.id, email: 'shape@example.com', name: null, createdAt})
    await store.createDeviceAuthorization({deviceCodeDigest: 'dc', userCodeDigest: 'uc', clientId: 'ndcli', clientAddress: '127.0.0.1', intervalSeconds: 5, expiresAt: createdAt, createdAt}, {total: 10, perAddress: 10})
    const grant = await store.findDeviceAuthorizationByDeviceCode('dc')
    expect(grant).to.include({clientId: 'ndcli', status: 'pending', userId: null, intervalSeconds: 5, lastPolledAt: null, expiresAt: createdAt})
    expect(grant?.intervalSeconds).to.be.a('number')
  })

  it('orders and compares text byte by byte, as SQLite does, whatever the database locale', async () => {
    const createdAt = '2030-01-01T00:00:00.000Z'
    const user = await store.createUser({email: 'order@example.com', name: null, passwordHash: 'h', createdAt})
    for (const name of ['b', 'a', 'B', 'My laptop', 'all', 'a-b', 'ab']) {
      await store.createPersonalAccessToken({userId: user.id, name, tokenDigest: `d-${name}`, tokenPrefix: 'p', scope: 'RO', orgId: null, expiresAt: null, createdAt})
    }
    const names = (await store.listPersonalAccessTokens(user.id)).map((token) => token.name)
    expect(names).to.deep.equal(['B', 'My laptop', 'a', 'a-b', 'ab', 'all', 'b'])
  })

  it('the live-name index: one live token per name and account; revoked ones free the name', async () => {
    const user = await store.createUser({email: 'names@example.com', name: null, passwordHash: 'h', createdAt: '2030-01-01T00:00:00.000Z'})
    const token = (digest: string) => ({userId: user.id, name: 'ci', tokenDigest: digest, tokenPrefix: 'p', scope: 'RW' as const, orgId: null, expiresAt: null, createdAt: '2030-01-01T00:00:00.000Z'})
    await store.createPersonalAccessToken(token('one'))
    const results = await Promise.allSettled(Array.from({length: 10}, (_, i) => store.createPersonalAccessToken(token(`race-${i}`))))
    expect(results.map((result) => (result.status === 'rejected' ? (result.reason as Error).name : 'created'))).to.deep.equal(Array<string>(10).fill('UniqueViolation'))
    expect(await store.revokePersonalAccessToken(user.id, 'ci', '2030-01-02T00:00:00.000Z')).to.equal(true)
    await store.createPersonalAccessToken(token('two'))
  })

  it('records a token use at most once per interval (conditional update)', async () => {
    const user = await store.createUser({email: 'use@example.com', name: null, passwordHash: 'h', createdAt: '2030-01-01T00:00:00.000Z'})
    const id = await store.createPersonalAccessToken({userId: user.id, name: 'ci', tokenDigest: 'use', tokenPrefix: 'p', scope: 'RW', orgId: null, expiresAt: null, createdAt: '2030-01-01T00:00:00.000Z'})
    const use = (at: string, ip: string) => store.recordTokenUse(id, at, ip, new Date(Date.parse(at) - 60_000).toISOString())
    const lastUse = async () => (await store.findPersonalAccessTokenByDigest('use'))?.lastUsedAt
    await Promise.all(['10:00:00.000', '10:00:00.001', '10:00:30.000'].map((time, i) => use(`2030-01-01T${time}Z`, `10.0.0.${i}`)))
    const first = await lastUse()
    expect(first).to.be.oneOf(['2030-01-01T10:00:00.000Z', '2030-01-01T10:00:00.001Z', '2030-01-01T10:00:30.000Z'])
    await use('2030-01-01T10:00:59.999Z', '10.0.0.9')
    expect(await lastUse()).to.equal(first)
    await use('2030-01-01T10:01:31.000Z', '10.0.0.9')
    expect(await lastUse()).to.equal('2030-01-01T10:01:31.000Z')
  })

  it('a read reflects every earlier write: this connection\'s, and another process\'s commit', async () => {
    const createdAt = '2030-01-01T00:00:00.000Z'
    const user = await store.createUser({email: 'fresh@example.com', name: null, passwordHash: 'h', createdAt})
    const token = (name: string) => ({userId: user.id, name, tokenDigest: `fresh-${name}`, tokenPrefix: 'p', scope: 'RO' as const, orgId: null, expiresAt: null, createdAt})
    await store.createPersonalAccessToken(token('a'))
    const names = async () => (await store.listPersonalAccessTokens(user.id)).map((listed) => listed.name)
    expect(await names()).to.deep.equal(['a'])
    expect((await store.findPersonalAccessTokenBySecret('fresh-a'))?.token.revokedAt).to.equal(null)

    // What a caller does to the objects it got does not reach the next reader.
    const listed = await store.listPersonalAccessTokens(user.id)
    listed[0]!.name = 'changed'
    listed.pop()
    expect(await names()).to.deep.equal(['a'])

    await store.createPersonalAccessToken(token('b'))
    expect(await names()).to.deep.equal(['a', 'b'])

    // Another connection (as another server instance or `ndcli-server` would be) revokes and creates.
    const other = await openStore(database.storeOptions)
    try {
      expect(await other.revokePersonalAccessToken(user.id, 'a', '2030-01-02T00:00:00.000Z')).to.equal(true)
      await other.createPersonalAccessToken(token('c'))
    } finally {
      await other.close()
    }
    expect((await store.findPersonalAccessTokenBySecret('fresh-a'))?.token.revokedAt).to.equal('2030-01-02T00:00:00.000Z')
    expect(await names()).to.deep.equal(['b', 'c'])
  })

  it('refuses U+0000 in text the same way on both engines', async () => {
    const error = await store.findUserByEmail('a\u0000b').then(() => undefined, (caught: Error) => caught)
    expect(error?.name).to.equal('UnstorableText')
  })
})
