import {expect} from 'chai'
import {addMember, addOrganization} from '../src/accounts.js'
import type {AppOptions} from '../src/app.js'
import {offsetClock, type AdjustableClock} from '../src/clock.js'
import type {Limits} from '../src/config.js'
import {openStore, type Role, type Store} from '../src/db/index.js'
import {hashPassword} from '../src/passwords.js'
import {startServer} from '../src/server.js'
import {freshDatabase, type Backend, type TestDatabase} from './backends.js'
import {conformanceProblem} from './openapi-conformance.js'

export {backends, type Backend} from './backends.js'

/** A real server on a loopback port over a fresh database of the given back end, with a movable clock and captured logs. */
export interface TestServer {
  url: string
  store: Store
  clock: AdjustableClock
  database: TestDatabase
  logs: string[]
  close(): Promise<void>
}

export const PASSWORD = 'correct horse battery staple'

export async function startTestServer(
  backend: Backend,
  limits: Partial<Limits> = {},
  options: Pick<AppOptions, 'publicUrl' | 'trustProxy'> = {},
): Promise<TestServer> {
  const database = await freshDatabase(backend)
  const store = await openStore(database.storeOptions)
  const clock = offsetClock()
  const logs: string[] = []
  const server = await startServer({
    store,
    port: 0,
    clock: clock.now,
    elapsed: clock.elapsed,
    logger: {level: 'debug', stream: {write: (line) => logs.push(line)}},
    limits: {deviceIntervalSeconds: 1, deviceCodeRequestLimit: 1_000, ...limits},
    ...options,
  })
  return {
    url: server.url,
    store,
    clock,
    database,
    logs,
    async close() {
      await server.close()
      await store.close()
      await database.drop()
    },
  }
}

export interface ApiResponse {
  status: number
  headers: Headers
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  text: string
}

export interface RequestOptions {
  token?: string
  json?: unknown
  form?: Record<string, string>
  /** Sent verbatim. */
  body?: string
  headers?: Record<string, string>
}

export async function request(server: TestServer, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {...options.headers}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body = options.body
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.form) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded'
    body = new URLSearchParams(options.form).toString()
  }
  const response = await fetch(server.url + path, {method, headers, body})
  const text = await response.text()
  const contentType = response.headers.get('content-type')
  const isJson = contentType?.startsWith('application/json')
  const parsed = isJson && text ? JSON.parse(text) : text
  // Every answer a test sees is also held against the published contract.
  const problem = conformanceProblem(method, path, {status: response.status, contentType, body: parsed})
  if (problem) throw new Error(problem)
  return {status: response.status, headers: response.headers, text, body: parsed}
}

/** Asserts the JSON error envelope with the given status and code. */
export function expectError(response: ApiResponse, status: number, code: string): void {
  expect(response.body, response.text).to.have.nested.property('error.code', code)
  expect(response.status, response.text).to.equal(status)
  expect(Object.keys(response.body)).to.deep.equal(['error'])
  expect(response.body.error.message).to.be.a('string').and.not.equal('')
}

/** Asserts an RFC 6749 §5.2 error, as /oauth/* answers: `{"error": code, "error_description": …}` and nothing else. */
export function expectOAuthError(response: ApiResponse, status: number, code: string): void {
  expect(response.body, response.text).to.have.property('error', code)
  expect(response.status, response.text).to.equal(status)
  expect(Object.keys(response.body).sort()).to.deep.equal(['error', 'error_description'])
  expect(response.body.error_description).to.be.a('string').and.not.equal('')
  expect(response.headers.get('content-type')).to.match(/^application\/json/)
  expect(response.headers.get('cache-control')).to.equal('no-store')
}

let userCounter = 0
/** A valid scrypt hash of PASSWORD at a low cost, so that sign-ins in tests are fast (the cost is read from the hash). */
const cheapHash = hashPassword(PASSWORD, {N: 1024, r: 8, p: 1})

/** Creates a user (a fresh email each time) with the given memberships. */
export async function seedUser(server: TestServer, memberships: Record<string, Role> = {}): Promise<string> {
  const email = `user${++userCounter}@example.com`
  await server.store.createUser({email, name: `User ${userCounter}`, passwordHash: await cheapHash, createdAt: server.clock.now().toISOString()})
  for (const [org, role] of Object.entries(memberships)) {
    if (!(await server.store.findOrganizationBySlug(org))) await addOrganization(server.store, server.clock.now, {slug: org})
    await addMember(server.store, server.clock.now, {org, email, role})
  }
  return email
}

export async function startDeviceFlow(server: TestServer): Promise<{device_code: string; user_code: string; interval: number}> {
  const response = await request(server, 'POST', '/oauth/device/code', {form: {client_id: 'ndcli'}})
  expect(response.status, response.text).to.equal(200)
  return response.body
}

/** GET /activate: the CSRF token of the form and the cookie it is bound to. */
export async function openActivatePage(server: TestServer, query = ''): Promise<{html: string; csrfToken: string; cookie: string}> {
  const response = await fetch(`${server.url}/activate${query}`)
  const html = await response.text()
  const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1]
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('ndcli_csrf='))?.split(';')[0]
  if (!csrfToken || !cookie) throw new Error('the activate page has no CSRF token or cookie')
  return {html, csrfToken, cookie}
}

export interface ActivateSubmission {
  userCode: string
  email: string
  password?: string
  action?: string
  csrfToken?: string
  cookie?: string
}

export async function submitActivate(server: TestServer, submission: ActivateSubmission): Promise<ApiResponse> {
  const page = await openActivatePage(server)
  return request(server, 'POST', '/activate', {
    headers: {cookie: submission.cookie ?? page.cookie},
    form: {
      user_code: submission.userCode,
      email: submission.email,
      password: submission.password ?? PASSWORD,
      csrf_token: submission.csrfToken ?? page.csrfToken,
      action: submission.action ?? 'approve',
    },
  })
}

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

export function pollToken(server: TestServer, deviceCode: string): Promise<ApiResponse> {
  return request(server, 'POST', '/oauth/token', {form: {grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'ndcli'}})
}

/** Signs in through the whole device flow; returns the session tokens. */
export async function signIn(server: TestServer, email: string): Promise<{access_token: string; refresh_token: string}> {
  const {device_code, user_code} = await startDeviceFlow(server)
  const approval = await submitActivate(server, {userCode: user_code, email})
  expect(approval.status, approval.text).to.equal(200)
  const tokens = await pollToken(server, device_code)
  expect(tokens.status, tokens.text).to.equal(200)
  return tokens.body
}

/** Creates a PAT with a session; returns the secret. */
export async function createPat(server: TestServer, session: string, body: Record<string, unknown>): Promise<string> {
  const response = await request(server, 'POST', '/api/v1/auth/tokens', {token: session, json: body})
  expect(response.status, response.text).to.equal(201)
  return response.body.token
}
