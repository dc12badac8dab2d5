/**
 * pollForSession against a scripted token endpoint on loopback: the answer
 * sequences RFC 8628 allows, including slow_down, which a real server only
 * gives on demand to a misbehaving client. Sleeps are recorded, not waited.
 */
import {expect} from 'chai'

import {ACCESS_DENIED_MESSAGE, CODE_EXPIRED_MESSAGE, canOpenBrowser, pollForSession} from '../src/auth/device-login.js'
import type {DeviceAuthorization} from '../src/auth/oauth.js'
import type {ApiClient} from '../src/api/client.js'
import {NdError, UnreachableError} from '../src/errors.js'
import {scriptedEndpoint, type ScriptedEndpoint} from './scripted-endpoint.js'

const TOKENS = {access_token: 'ndat_x', refresh_token: 'ndrt_y', token_type: 'Bearer', expires_in: 3600}
const AUTHORIZATION: DeviceAuthorization = {
  device_code: 'dev',
  user_code: 'ABCD-EFGH',
  verification_uri: 'http://x/activate',
  verification_uri_complete: 'http://x/activate?user_code=ABCD-EFGH',
  expires_in: 600,
  interval: 2,
}

/** The API envelope this server uses, and the bare OAuth form (RFC 6749 §5.2) other servers send. */
const envelope = (code: string) => ({status: 400, body: {error: {code, message: `${code} (envelope)`}}})
const oauthForm = (code: string) => ({status: 400, body: {error: code, error_description: `${code} (oauth form)`}})
/** The scripted server closes the connection without an answer. */
const DROPPED = {status: 0, body: null}

describe('pollForSession', () => {
  let endpoint: ScriptedEndpoint
  before(async () => (endpoint = await scriptedEndpoint()))
  after(() => endpoint.close())
  beforeEach(() => endpoint.reset())
  const forms = () => endpoint.requests.map((request) => request.form)

  function recordingSleep() {
    const waits: number[] = []
    return {waits, sleep: async (ms: number) => void waits.push(ms)}
  }

  for (const [form, answer] of [['API envelope', envelope], ['OAuth form', oauthForm]] as const) {
    it(`waits the interval between polls and adds 5 s per slow_down (${form})`, async () => {
      endpoint.answers.push(answer('authorization_pending'), answer('slow_down'), answer('authorization_pending'), answer('slow_down'), {status: 200, body: TOKENS})
      const {waits, sleep} = recordingSleep()
      const slowDowns: number[] = []
      const tokens = await pollForSession(endpoint.api, AUTHORIZATION, {sleep, onSlowDown: (seconds) => slowDowns.push(seconds)})
      expect(tokens).to.deep.equal(TOKENS)
      expect(waits).to.deep.equal([2000, 2000, 7000, 7000, 12_000])
      expect(slowDowns).to.deep.equal([7, 12])
      expect(forms().map((f) => f.get('grant_type'))).to.deep.equal(Array(5).fill('urn:ietf:params:oauth:grant-type:device_code'))
      expect(forms().every((f) => f.get('device_code') === 'dev')).to.equal(true)
    })

    for (const [code, message] of [['access_denied', ACCESS_DENIED_MESSAGE], ['expired_token', CODE_EXPIRED_MESSAGE]] as const) {
      it(`stops with exit 3 on ${code} (${form})`, async () => {
        endpoint.answers.push(answer('authorization_pending'), answer(code))
        const error = await pollForSession(endpoint.api, AUTHORIZATION, {sleep: recordingSleep().sleep}).catch((error_: unknown) => error_ as NdError)
        expect(error).to.be.instanceOf(NdError)
        expect(error).to.include({message, exitCode: 3, code})
      })
    }
  }

  it('passes other errors through unchanged', async () => {
    endpoint.answers.push(envelope('invalid_grant'))
    const error = await pollForSession(endpoint.api, AUTHORIZATION, {sleep: recordingSleep().sleep}).catch((error_: unknown) => error_ as NdError)
    expect(error).to.include({code: 'invalid_grant'})
  })

  it('gives up with the expiry message once expires_in has passed locally, even if the server never says so', async () => {
    let now = 0
    endpoint.answers.push(...Array.from({length: 10}, () => envelope('authorization_pending')))
    const sleep = async (ms: number) => void (now += ms)
    const error = await pollForSession(endpoint.api, {...AUTHORIZATION, expires_in: 5}, {sleep, now: () => now}).catch((error_: unknown) => error_ as NdError)
    expect(error).to.include({message: CODE_EXPIRED_MESSAGE, exitCode: 3})
    expect(forms()).to.have.length(3) // polls at 2 s, 4 s and 6 s; 6 s is past the 5 s lifetime
  })

  it('keeps polling through dropped connections and 502/503/504/429, waiting twice as long after each failure in a row', async () => {
    const unavailable = (status: number) => ({status, body: {error: {code: 'unavailable', message: 'restarting'}}})
    endpoint.answers.push(envelope('authorization_pending'), DROPPED, unavailable(503), unavailable(502), envelope('authorization_pending'), unavailable(504), unavailable(429), {status: 200, body: TOKENS})
    const {waits, sleep} = recordingSleep()
    const told: number[] = []
    const tokens = await pollForSession(endpoint.api, AUTHORIZATION, {sleep, onUnreachable: (_error, failures) => told.push(failures)})
    expect(tokens).to.deep.equal(TOKENS)
    expect(waits).to.deep.equal([2000, 2000, 4000, 8000, 16_000, 2000, 4000, 8000])
    expect(told).to.deep.equal([1, 2, 3, 1, 2])
  })

  it('caps the back-off at a minute', async () => {
    endpoint.answers.push(...Array.from({length: 8}, () => DROPPED), {status: 200, body: TOKENS})
    const {waits, sleep} = recordingSleep()
    await pollForSession(endpoint.api, AUTHORIZATION, {sleep})
    expect(waits).to.deep.equal([2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000])
  })

  it('gives up with the network error (exit 7) when the code expires while the server cannot be reached', async () => {
    let now = 0
    endpoint.answers.push(...Array.from({length: 10}, () => DROPPED))
    const sleep = async (ms: number) => void (now += ms)
    const error = await pollForSession(endpoint.api, {...AUTHORIZATION, expires_in: 10}, {sleep, now: () => now}).catch((error_: unknown) => error_ as NdError)
    expect(error).to.include({exitCode: 7, code: 'unreachable'})
    expect(forms()).to.have.length(3) // polls at 2 s, 6 s and 14 s; 14 s is past the 10 s lifetime
  })

  it('stops at once (exit 7) on a refused certificate instead of polling until the code expires', async () => {
    // A real server cannot switch certificates between two polls on demand: the client's refusal is injected.
    let polls = 0
    const refused = new UnreachableError('The control plane at https://cp.example sent a certificate that this machine does not trust (SELF_SIGNED_CERT_IN_CHAIN).', {code: 'certificate_rejected'})
    const api = {post: async () => (polls++, Promise.reject(refused))} as unknown as ApiClient
    const told: number[] = []
    let now = 0
    const sleep = async (ms: number) => void (now += ms)
    const error = await pollForSession(api, AUTHORIZATION, {sleep, now: () => now, onUnreachable: (_error, failures) => told.push(failures)}).catch((error_: unknown) => error_)
    expect(error).to.equal(refused)
    expect([polls, told]).to.deep.equal([1, []])
  })

  it('stops waiting at once when the signal aborts (Ctrl-C), without another request', async () => {
    const abort = new AbortController()
    const started = Date.now()
    const polling = pollForSession(endpoint.api, {...AUTHORIZATION, interval: 60}, {signal: abort.signal})
    abort.abort()
    const error = await polling.catch((error_: unknown) => error_ as Error)
    expect(error).to.have.property('name', 'AbortError')
    expect(Date.now() - started).to.be.lessThan(1000)
    expect(forms()).to.have.length(0)
  })
})

describe('canOpenBrowser', () => {
  const cases: Array<[string, NodeJS.ProcessEnv, NodeJS.Platform, boolean]> = [
    ['Linux with X11', {DISPLAY: ':0'}, 'linux', true],
    ['Linux with Wayland', {WAYLAND_DISPLAY: 'wayland-0'}, 'linux', true],
    ['Linux without a display', {}, 'linux', false],
    ['CI, even with a display', {CI: 'true', DISPLAY: ':0'}, 'linux', false],
    ['macOS', {}, 'darwin', true],
    ['Windows', {}, 'win32', true],
    ['CI on macOS', {CI: '1'}, 'darwin', false],
  ]
  for (const [name, env, platform, expected] of cases) {
    it(`${name} → ${expected}`, () => expect(canOpenBrowser(env, platform)).to.equal(expected))
  }
})
