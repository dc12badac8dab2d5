import {parseArgs, type ParseArgsConfig} from 'node:util'
import {AccountError, addMember, addOrganization, addUser, ROLES} from './accounts.js'
import {offsetClock, systemClock} from './clock.js'
import {DEFAULT_HOST, DEFAULT_PORT, defaultDataDir, limitsFromEnv, parsePublicUrl, parseTrustProxy} from './config.js'
import {openStore, type Store} from './db/index.js'
import {startServer} from './server.js'

/** What the CLI touches of its process, so tests can run it in-process too. */
export interface CliIo {
  stdout: {write(text: string): unknown}
  stderr: {write(text: string): unknown}
  readStdin(): Promise<string>
  env: NodeJS.ProcessEnv
  /** Resolves with the signal name on SIGINT or SIGTERM. */
  shutdownSignal(): Promise<string>
}

const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  async readStdin() {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer))
    return Buffer.concat(chunks).toString('utf8')
  },
  shutdownSignal: () =>
    new Promise((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal))
    }),
}

/** A mistake in the command line: exit code 2. */
class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>
type Values = Record<string, string | boolean | undefined>

const STORAGE_OPTIONS: Options = {
  'data-dir': {type: 'string'},
  'database-url': {type: 'string'},
  help: {type: 'boolean', short: 'h'},
}
const STORAGE_HELP = `  --data-dir DIR        directory of the SQLite database (default: $XDG_DATA_HOME/ndcli-server
                         or ~/.local/share/ndcli-server)
  --database-url URL     use PostgreSQL instead (default: $DATABASE_URL)
  -h, --help             show this help`

interface Command {
  usage: string
  summary: string
  options: Options
  run(values: Values, io: CliIo): Promise<number>
}

const COMMANDS: Record<string, Command> = {
  start: {
    usage: `ndcli-server start [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}] [--data-dir DIR] [--database-url URL] [--public-url URL] [--trust-proxy PROXIES]`,
    summary: 'Apply migrations and serve the API until SIGINT or SIGTERM.',
    options: {host: {type: 'string'}, port: {type: 'string'}, 'public-url': {type: 'string'}, 'trust-proxy': {type: 'string'}},
    run: start,
  },
  'user add': {
    usage: 'ndcli-server user add --email E (--password P | --password-stdin) [--name N]',
    summary: 'Create a user account.',
    options: {email: {type: 'string'}, password: {type: 'string'}, 'password-stdin': {type: 'boolean'}, name: {type: 'string'}},
    run: async (values, io) => {
      const email = required(values, 'email')
      if (values.password !== undefined && values['password-stdin']) throw new UsageError('give either --password or --password-stdin, not both')
      const password = values['password-stdin'] ? (await io.readStdin()).replace(/\r?\n$/, '') : values.password
      if (typeof password !== 'string') throw new UsageError('--password or --password-stdin is required')
      const name = optional(values, 'name')
      return withStore(values, io, async (store) => {
        const user = await addUser(store, systemClock, {email, password, name})
        io.stdout.write(`Created user ${user.email}\n`)
      })
    },
  },
  'org add': {
    usage: 'ndcli-server org add --slug S [--name N]',
    summary: 'Create an organization (its name defaults to the slug).',
    options: {slug: {type: 'string'}, name: {type: 'string'}},
    run: async (values, io) => {
      const input = {slug: required(values, 'slug'), name: optional(values, 'name')}
      return withStore(values, io, async (store) => {
        const org = await addOrganization(store, systemClock, input)
        io.stdout.write(`Created organization ${org.slug}\n`)
      })
    },
  },
  'member add': {
    usage: `ndcli-server member add --org S --email E --role ${ROLES.join('|')}`,
    summary: 'Add a user to an organization, or change the role of a member.',
    options: {org: {type: 'string'}, email: {type: 'string'}, role: {type: 'string'}},
    run: async (values, io) => {
      const input = {org: required(values, 'org'), email: required(values, 'email'), role: required(values, 'role')}
      return withStore(values, io, async (store) => {
        await addMember(store, systemClock, input)
        io.stdout.write(`${input.email} is now ${input.role} in ${input.org}\n`)
      })
    },
  },
}

const OVERVIEW = `ndcli-server — the ndcli control plane

Usage:
${Object.values(COMMANDS)
  .map((command) => `  ${command.usage}`)
  .join('\n')}

Run 'ndcli-server <command> --help' for the options of a command.
`

function helpOf(name: string, command: Command): string {
  return `${command.summary}

Usage: ${command.usage}

Options:
${STORAGE_HELP}
${name === 'start' ? START_HELP : ''}`
}

const START_HELP = `  --public-url URL       where people and clients reach this server, e.g. https://ndcli.example.com:
                         fixes the issuer, sign-in links and metadata URLs, and makes cookies
                         Secure when https (default: $NDCLI_PUBLIC_URL, else each request's Host)
  --trust-proxy PROXIES  believe X-Forwarded-For/-Proto/-Host from these proxies: a hop count
                         (e.g. 1) or addresses / CIDR ranges, comma-separated
                         (default: $NDCLI_TRUST_PROXY, else none: the client is the peer address)

Environment:
  DATABASE_URL                      PostgreSQL URL (when --data-dir and --database-url are absent)
  NDCLI_SERVER_DEVICE_INTERVAL      device-flow polling interval in seconds (default 5)
  NDCLI_SERVER_ACCESS_TOKEN_TTL     session access token lifetime in seconds (default 3600)
  NDCLI_SERVER_AUTH_FAILURE_LIMIT   failed authentications per minute per address before 429 (default 20)
  NDCLI_SERVER_DEVICE_CODE_LIMIT    sign-ins started (POST /oauth/device/code) per minute per address (default 10)
  NDCLI_SERVER_MAX_PENDING_DEVICE_CODES              pending sign-ins in all, then 503 (default 10000)
  NDCLI_SERVER_MAX_PENDING_DEVICE_CODES_PER_ADDRESS  pending sign-ins per address, then 429 (default 20)

Prints "Listening on http://HOST:PORT" on stdout once ready; logs go to stderr as JSON lines.
`

/** Runs one command line; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const name = [argv[0], argv[1]].join(' ') in COMMANDS ? `${argv[0]} ${argv[1]}` : (argv[0] ?? '')
  const command = COMMANDS[name]
  if (!command) {
    if (argv.length === 0 || name === '--help' || name === '-h') {
      io.stdout.write(OVERVIEW)
      return argv.length === 0 ? 2 : 0
    }
    io.stderr.write(`Error: unknown command "${argv.slice(0, 2).join(' ')}". Run 'ndcli-server --help' for the commands.\n`)
    return 2
  }
  try {
    const args = argv.slice(name.split(' ').length)
    const values = parse(args, {...STORAGE_OPTIONS, ...command.options})
    if (values.help) {
      io.stdout.write(helpOf(name, command))
      return 0
    }
    return await command.run(values, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`Error: ${error.message}. Run 'ndcli-server ${name} --help' for usage.\n`)
      return 2
    }
    io.stderr.write(`Error: ${describe(error)}\n`)
    return 1
  }
}

function parse(args: string[], options: Options): Values {
  try {
    return parseArgs({args, options, strict: true, allowPositionals: false}).values as Values
  } catch (error) {
    // node:util's messages continue with advice about positionals; the first sentence is the point.
    throw new UsageError((error as Error).message.split('. ')[0]!.replace(/\.$/, ''))
  }
}

function required(values: Values, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

function optional(values: Values, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

function describe(error: unknown): string {
  if (error instanceof AccountError) return error.message
  const {code, message} = error as {code?: string; message?: string}
  if (code === 'EADDRINUSE') return `${message}: another process is listening on that address; choose another --port`
  return (message ?? String(error)).split('\n')[0]!
}

function storeOptions(values: Values, env: NodeJS.ProcessEnv) {
  const databaseUrl = optional(values, 'database-url')
  const dataDir = optional(values, 'data-dir')
  if (databaseUrl) return {databaseUrl}
  if (dataDir) return {dataDir}
  return env.DATABASE_URL ? {databaseUrl: env.DATABASE_URL} : {dataDir: defaultDataDir(env)}
}

async function withStore(values: Values, io: CliIo, work: (store: Store) => Promise<void>): Promise<number> {
  const store = await openStore(storeOptions(values, io.env))
  try {
    await work(store)
    return 0
  } finally {
    await store.close()
  }
}

/**
 * The log lines written during one turn of the event loop reach the stream in one write: under
 * load that is one system call for many requests instead of one each (stderr to a pipe or file
 * is a synchronous write). Lines are held until the end of the turn; what is pending when the
 * process exits is written then.
 */
function coalescedLines(stream: {write(text: string): unknown}): {write(line: string): void; flush(): void} {
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending === '') return
    const text = pending
    pending = ''
    stream.write(text)
  }
  process.once('exit', flush)
  return {
    write(line) {
      pending += line
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flush,
  }
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT
  const port = Number(text)
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`--port must be a number from 0 to 65535, got "${text}"`)
  return port
}

/** A flag's value, else its environment variable's, checked by `parse`; a bad value is a usage error naming where it came from. */
function flagOrEnv<T>(values: Values, env: NodeJS.ProcessEnv, flag: string, variable: string, parse: (text: string) => T): T | undefined {
  const fromFlag = optional(values, flag)
  const text = fromFlag ?? (env[variable] || undefined)
  if (text === undefined) return undefined
  try {
    return parse(text)
  } catch (error) {
    throw new UsageError(`${fromFlag === undefined ? variable : `--${flag}`} ${(error as Error).message}`)
  }
}

async function start(values: Values, io: CliIo): Promise<number> {
  const port = parsePort(optional(values, 'port'))
  const host = optional(values, 'host') ?? DEFAULT_HOST
  const publicUrl = flagOrEnv(values, io.env, 'public-url', 'NDCLI_PUBLIC_URL', parsePublicUrl)
  const trustProxy = flagOrEnv(values, io.env, 'trust-proxy', 'NDCLI_TRUST_PROXY', parseTrustProxy)
  const limits = limitsFromEnv(io.env)
  // Test only: lets tests of the whole system move the server's clock (PUT /__test/clock).
  const testClock = io.env.NDCLI_SERVER_TEST_CLOCK === '1' ? offsetClock() : undefined
  const shutdown = io.shutdownSignal()
  const storeWarnings: string[] = []
  const store = await openStore({...storeOptions(values, io.env), warn: (message) => storeWarnings.push(message)})
  const log = coalescedLines(io.stderr)
  try {
    const server = await startServer({store, host, port, limits, testClock, publicUrl, trustProxy, logger: {stream: log}})
    for (const warning of storeWarnings) server.app.log.warn(warning)
    if (testClock) server.app.log.warn('NDCLI_SERVER_TEST_CLOCK=1: PUT /__test/clock is enabled; never use this in production')
    io.stdout.write(`Listening on ${server.url}\n`)
    const signal = await shutdown
    server.app.log.info({signal}, 'shutting down')
    await server.close()
    return 0
  } finally {
    log.flush()
    await store.close()
  }
}
