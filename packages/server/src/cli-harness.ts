/**
 * End-to-end harness for a CLI against this control plane: an account logged in
 * through the real device flow, and a CLI binary (the host's `bin/run.js`) run with
 * isolated config and data directories. The shell's tests and every plugin's use it,
 * so that no package's tests import another's test folder.
 */
import type {CommandOutput} from '@ndcli/core/testing'

import {deviceFlowSession, seedAccount, type ServerProcess} from './testing.js'

type Org = {slug: string; role: 'superuser' | 'read-write' | 'read-only'}

export interface Cli {
  /** NDCLI_API_URL and the isolated NDCLI_CONFIG_DIR / NDCLI_DATA_DIR of this account. */
  env: Record<string, string>
  /** Runs `ndcli <args>` with the stored login session, or with NDCLI_TOKEN when `token` is given. */
  ndcli(args: string[], options?: {token?: string}): Promise<CommandOutput>
  cleanup(): Promise<void>
}

/** The harness for the CLI binary `bin` (a host's `bin/run.js`). */
export function cliHarness(bin: string): {loggedInCli(server: ServerProcess, email: string, orgs?: Org[]): Promise<Cli>} {
  return {loggedInCli: (server, email, orgs) => loggedInCli(bin, server, email, orgs)}
}

/**
 * Seeds an account on `server` and stores a session for it, obtained through the device flow as
 * `auth login` would; `bin` is the CLI to run. @ndcli/core is loaded here, on first use, so that
 * what only starts a server (the benchmark, the demo) does not load the CLI's runtime.
 */
async function loggedInCli(bin: string, server: ServerProcess, email: string, orgs: Org[] = []): Promise<Cli> {
  const [{CredentialStore, sessionFrom}, {isolatedDirs, runBinary}] = await Promise.all([import('@ndcli/core'), import('@ndcli/core/testing')])
  const password = 'correct horse battery staple'
  await seedAccount(server, {email, password, orgs})
  const dirs = await isolatedDirs()
  const tokens = await deviceFlowSession(server.url, {email, password})
  // The harness types token_type as string; the device flow answers "Bearer" (core's TokenResponse).
  // The file store: these suites read sessions.json; the keyring suite (test/keyring.test.ts) covers the keyring.
  await new CredentialStore(dirs.env.NDCLI_DATA_DIR!, {storage: 'file'}).save(server.url, sessionFrom({...tokens, token_type: 'Bearer'}, email, new Date()))
  const env = {...dirs.env, NDCLI_API_URL: server.url}
  return {
    env,
    ndcli: (args, options = {}) => runBinary(bin, args, {env: {...env, NDCLI_TOKEN: options.token}}),
    cleanup: dirs.cleanup,
  }
}

/**
 * Runs `action` and returns its result with the requests (`METHOD /path`) the server logged
 * meanwhile. The server logs a request after answering it, so a sentinel request before and after,
 * each awaited in the log, fences off lines of earlier requests (an afterEach's) that arrive late.
 */
export async function withRequests<T>(server: ServerProcess, action: () => Promise<T>): Promise<{result: T; requests: string[]}> {
  const start = await loggedSentinel(server)
  const result = await action()
  const end = await loggedSentinel(server)
  return {result, requests: loggedRequests(server).slice(start + 1, end)}
}

/** Requests a unique unknown path (any path is logged, query strings are not) and returns its index in the log. */
async function loggedSentinel(server: ServerProcess): Promise<number> {
  const sentinel = `GET /__sentinel/${Math.random().toString(36).slice(2)}`
  await fetch(server.url + sentinel.slice('GET '.length))
  for (let waited = 0; ; waited += 20) {
    const index = loggedRequests(server).indexOf(sentinel)
    if (index !== -1) return index
    if (waited > 5000) throw new Error(`the server never logged ${sentinel}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function loggedRequests(server: ServerProcess): string[] {
  return server
    .log()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return []
      const entry = JSON.parse(line) as {msg?: string; req?: {method: string; path: string}}
      return entry.msg === 'request completed' && entry.req ? [`${entry.req.method} ${entry.req.path}`] : []
    })
}

/** `YYYY-MM-DD` of today + `days` in local time, counted independently of the code under test. */
export function localDatePlusDays(days: number): string {
  const date = new Date()
  date.setDate(date.getDate() + days)
  return [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((n) => String(n).padStart(2, '0')).join('-')
}

/** The secret from `auth token create`'s `Token:` line. */
export function tokenFrom(output: CommandOutput): string {
  const match = /^Token: (ndpat_\S+)$/m.exec(output.stdout)
  if (!match) throw new Error(`no Token: line in\n${output.stdout}${output.stderr}`)
  return match[1]!
}
