/**
 * StoredCredentials' refresh against a scripted token endpoint: the rotation
 * is stored, and a refresh token that another ndcli process rotated a moment
 * earlier is not mistaken for an expired login.
 */
import {expect} from 'chai'

import {StoredCredentials} from '../src/auth/credentials.js'
import {ApiClient} from '../src/api/client.js'
import {NdError} from '../src/errors.js'
import {CredentialStore, type Session} from '../src/store/credentials.js'
import {isolatedDirs} from '../src/testing/index.js'
import {scriptedEndpoint, type ScriptedEndpoint} from './scripted-endpoint.js'

const API_URL = 'http://control-plane.test'

describe('StoredCredentials', () => {
  let endpoint: ScriptedEndpoint
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  let store: CredentialStore

  before(async () => (endpoint = await scriptedEndpoint()))
  after(() => endpoint.close())
  beforeEach(async () => {
    endpoint.reset()
    dirs = await isolatedDirs()
    store = new CredentialStore(dirs.env.NDCLI_DATA_DIR!)
  })
  afterEach(() => dirs.cleanup())

  const session = (suffix: string, expiresAt = new Date(Date.now() - 1000)): Session => ({
    access_token: `access-${suffix}`,
    refresh_token: `refresh-${suffix}`,
    expires_at: expiresAt.toISOString(),
    email: 'ada@example.com',
  })
  const credentials = (env: NodeJS.ProcessEnv = {}) => new StoredCredentials(store, API_URL, () => endpoint.api, env)

  it('refreshes a lapsed access token and stores the rotated refresh token', async () => {
    await store.save(API_URL, session('1'))
    endpoint.answers.push({status: 200, body: {access_token: 'access-2', refresh_token: 'refresh-2', token_type: 'Bearer', expires_in: 3600}})
    expect(await credentials().current()).to.deep.equal({kind: 'session', token: 'access-2'})
    expect(endpoint.requests[0]!.form.get('refresh_token')).to.equal('refresh-1')
    expect(await store.get(API_URL)).to.include({access_token: 'access-2', refresh_token: 'refresh-2', email: 'ada@example.com'})
  })

  it('asks to log in again (exit 3) when the server refuses the refresh token', async () => {
    await store.save(API_URL, session('1'))
    endpoint.answers.push({status: 400, body: {error: {code: 'invalid_grant', message: 'The refresh token is not valid or has expired.'}}})
    const error = await rejectionOf(credentials().current())
    expect(error).to.be.instanceOf(NdError)
    expect(error).to.include({exitCode: 3, code: 'session_expired'})
    expect(error.message).to.include("Run 'ndcli auth login'")
  })

  it('uses the session another process stored while its own refresh was refused', async () => {
    const mine = credentials()
    await store.save(API_URL, session('1'))
    await mine.loadSession()
    // Another ndcli process refreshes first: the server has rotated refresh-1 away.
    await store.save(API_URL, session('2', new Date(Date.now() + 3_600_000)))
    endpoint.answers.push({status: 400, body: {error: {code: 'invalid_grant', message: 'The refresh token is not valid or has expired.'}}})
    expect(await mine.current()).to.deep.equal({kind: 'session', token: 'access-2'})
  })

  it('gives the stored session to sessionCredential() even when NDCLI_TOKEN is set', async () => {
    await store.save(API_URL, session('1', new Date(Date.now() + 3_600_000)))
    const pat = 'ndpat_' + 'A'.repeat(43)
    const underPat = credentials({NDCLI_TOKEN: pat})
    expect(await underPat.sessionCredential()).to.deep.equal({kind: 'session', token: 'access-1'})
  })

  it('lets a request name its own credential, which is sent as given and never refreshed', async () => {
    let refreshes = 0
    const client = new ApiClient({
      baseUrl: endpoint.api.baseUrl,
      userAgent: 'test',
      retries: 0,
      credentials: {current: async () => ({kind: 'session', token: 'stored'}), refresh: async () => (refreshes++, undefined), missingMessage: 'no'},
    })
    endpoint.answers.push({status: 401, body: {error: {code: 'invalid_token', message: 'This access token is not valid.'}}})
    const error = await rejectionOf(client.get('/api/v1/auth/me', {credential: {kind: 'session', token: 'just-issued'}}))
    expect(error).to.include({exitCode: 3})
    expect(endpoint.requests.map((r) => r.authorization)).to.deep.equal(['Bearer just-issued'])
    expect(refreshes).to.equal(0)
  })
})

async function rejectionOf(promise: Promise<unknown>): Promise<NdError> {
  try {
    await promise
  } catch (error) {
    return error as NdError
  }
  throw new Error('expected the promise to reject')
}
