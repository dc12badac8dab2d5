/**
 * Runs the real `ndcli-server` binary for end-to-end tests and the demo: a
 * fresh data directory, a free loopback port, the operator commands, and the
 * sign-in page's form submitted the way a browser submits it.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, open, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const SERVER_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'ndcli-server.js')

export interface ServerProcessOptions {
  /** Extra environment, e.g. NDCLI_SERVER_TEST_CLOCK=1, NDCLI_SERVER_DEVICE_INTERVAL=1. */
  env?: Record<string, string>
  /** PostgreSQL instead of a fresh SQLite data directory. */
  databaseUrl?: string
  /** Reuse a data directory (e.g. a second instance); default: a new temporary one. */
  dataDir?: string
  /** Listen on this port (e.g. a restart at the same address); default: a free one. */
  port?: number
  /**
   * Append the server's log (stderr) to this file instead of collecting it in this process, as an
   * operator's log file would: under load (the benchmark) collecting it would take CPU from the
   * load generator. log() then returns stdout only.
   */
  logFile?: string
  /** Listen on this address (e.g. `::`, dual-stack); default: 127.0.0.1. */
  host?: string
  /** More `start` options, e.g. `['--trust-proxy', '1']`. */
  startArgs?: string[]
}

export interface ServerProcess {
  url: string
  dataDir: string
  /** Everything the server wrote to stdout and stderr so far (its log). */
  log(): string
  /** Runs `ndcli-server <args>` against the same data (admin subcommands). */
  admin(args: string[], input?: string): Promise<{stdout: string; stderr: string; exitCode: number}>
  /** Sets the server's test clock offset (needs NDCLI_SERVER_TEST_CLOCK=1). */
  shiftClock(seconds: number): Promise<void>
  /** SIGTERM, wait for exit, remove the temporary data directory. */
  stop(): Promise<void>
  process: ChildProcess
}

export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  // Also made (and removed) for PostgreSQL, which keeps nothing there.
  const ownsDataDir = !options.dataDir
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ndcli-server-')))
  const storage = options.databaseUrl ? ['--database-url', options.databaseUrl] : ['--data-dir', dataDir]
  // A test suite signs in from 127.0.0.1 far more often than a person does: unless a test sets it.
  const env = {NDCLI_SERVER_DEVICE_CODE_LIMIT: '1000', ...process.env, ...options.env}
  const logFile = options.logFile === undefined ? undefined : await open(options.logFile, 'a')
  const child = spawn(process.execPath, [SERVER_BIN, 'start', '--host', options.host ?? '127.0.0.1', '--port', String(options.port ?? 0), ...storage, ...(options.startArgs ?? [])], {
    env,
    stdio: ['ignore', 'pipe', logFile ? logFile.fd : 'pipe'],
  })
  // The child has its own copy of the descriptor.
  await logFile?.close()
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ndcli-server did not start within 20 s:\n${output}`)), 20_000)
    const check = () => {
      const match = /Listening on (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        child.stdout!.off('data', check)
        resolve(match[1]!)
      }
    }
    child.stdout!.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`ndcli-server exited with ${code} before listening:\n${output}`))
    })
  })

  const admin = (args: string[], input?: string) =>
    new Promise<{stdout: string; stderr: string; exitCode: number}>((resolve, reject) => {
      const run = spawn(process.execPath, [SERVER_BIN, ...args, ...storage], {env, stdio: ['pipe', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      run.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
      run.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      run.on('error', reject)
      run.on('close', (code) => resolve({stdout, stderr, exitCode: code ?? 1}))
      run.stdin.end(input ?? '')
    })

  return {
    url,
    dataDir,
    process: child,
    log: () => output,
    admin,
    async shiftClock(seconds) {
      const response = await fetch(`${url}/__test/clock`, {method: 'PUT', headers: {'content-type': 'application/json'}, body: JSON.stringify({offset_seconds: seconds})})
      if (response.status !== 204) throw new Error(`shifting the server clock failed: ${response.status} ${await response.text()}`)
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      if (ownsDataDir) await rm(dataDir, {recursive: true, force: true})
    },
  }
}

/** Creates a user (password through stdin, as an operator would), an organization and a membership. */
export async function seedAccount(
  server: ServerProcess,
  account: {email: string; password: string; name?: string; orgs?: Array<{slug: string; role: 'superuser' | 'read-write' | 'read-only'}>},
): Promise<void> {
  const must = async (args: string[], input?: string) => {
    const result = await server.admin(args, input)
    if (result.exitCode !== 0) throw new Error(`ndcli-server ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}`)
  }
  await must(['user', 'add', '--email', account.email, '--password-stdin', ...(account.name ? ['--name', account.name] : [])], account.password + '\n')
  for (const org of account.orgs ?? []) {
    await must(['org', 'add', '--slug', org.slug])
    await must(['member', 'add', '--org', org.slug, '--email', account.email, '--role', org.role])
  }
}

/**
 * Approves (or denies) a device code exactly as the /activate form does:
 * GET the page for its CSRF token and cookie, then POST the form with them.
 * Returns the HTTP status and the page.
 */
export async function submitActivation(
  baseUrl: string,
  form: {userCode: string; email: string; password: string; action: 'approve' | 'deny'},
): Promise<{status: number; html: string}> {
  const page = await fetch(`${baseUrl}/activate?user_code=${encodeURIComponent(form.userCode)}`)
  const html = await page.text()
  const csrf = /name="csrf_token"\s+value="([^"]+)"/.exec(html)?.[1] ?? /value="([^"]+)"\s+name="csrf_token"/.exec(html)?.[1]
  const cookie = page.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ')
  if (!csrf || !cookie) throw new Error('the /activate page carried no CSRF token or cookie')
  const response = await fetch(`${baseUrl}/activate`, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded', cookie},
    body: new URLSearchParams({user_code: form.userCode, email: form.email, password: form.password, csrf_token: csrf, action: form.action}).toString(),
  })
  return {status: response.status, html: await response.text()}
}

/**
 * A login session obtained through the device authorization grant over HTTP,
 * approving the code through the sign-in form — what `ndcli auth login` does,
 * for tests that need a session without driving the login command.
 */
export async function deviceFlowSession(
  baseUrl: string,
  account: {email: string; password: string},
): Promise<{access_token: string; refresh_token: string; expires_in: number; token_type: string}> {
  const form = (body: Record<string, string>) => ({
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams(body).toString(),
  })
  const codeResponse = await fetch(`${baseUrl}/oauth/device/code`, form({client_id: 'ndcli'}))
  const code = (await codeResponse.json()) as {device_code: string; user_code: string}
  const approval = await submitActivation(baseUrl, {userCode: code.user_code, email: account.email, password: account.password, action: 'approve'})
  if (approval.status !== 200) throw new Error(`approving the device code failed: ${approval.status}`)
  const tokenResponse = await fetch(
    `${baseUrl}/oauth/token`,
    form({grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: code.device_code, client_id: 'ndcli'}),
  )
  if (tokenResponse.status !== 200) throw new Error(`exchanging the device code failed: ${tokenResponse.status} ${await tokenResponse.text()}`)
  return (await tokenResponse.json()) as {access_token: string; refresh_token: string; expires_in: number; token_type: string}
}
/**
 * The back ends a suite of the whole system runs its server on: SQLite always, PostgreSQL too when
 * NDCLI_TEST_DATABASE_URL is set (CI sets it, see .ci/start-postgres).
 */
export const TEST_BACKENDS: ReadonlyArray<'sqlite' | 'postgres'> = process.env.NDCLI_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']

/**
 * startServerProcess's storage for a back end of TEST_BACKENDS: a new SQLite directory (its
 * default), or a new schema on NDCLI_TEST_DATABASE_URL, chosen by the URL's search_path; drop()
 * removes the schema after the server has stopped.
 */
export async function testStorage(backend: 'sqlite' | 'postgres'): Promise<{databaseUrl?: string; drop(): Promise<void>}> {
  const base = process.env.NDCLI_TEST_DATABASE_URL
  if (backend === 'sqlite') return {drop: async () => {}}
  if (!base) throw new Error('NDCLI_TEST_DATABASE_URL is not set')
  const {default: pg} = await import('pg')
  const schema = `ndcli_e2e_${randomBytes(6).toString('hex')}`
  const sql = async (statement: string) => {
    const client = new pg.Client({connectionString: base})
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  // A throwaway schema for a test server, not data: the Store has no say in it (test/backends.ts does the same).
  // eslint-disable-next-line no-restricted-syntax
  await sql(`CREATE SCHEMA ${schema}`)
  const url = new URL(base)
  url.searchParams.set('options', `-c search_path=${schema}`)
  // eslint-disable-next-line no-restricted-syntax
  return {databaseUrl: url.toString(), drop: () => sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)}
}

export {cliHarness, localDatePlusDays, tokenFrom, withRequests, type Cli} from './cli-harness.js'
