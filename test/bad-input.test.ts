/**
 * Bad input to every flag and argument of every command, from a compact table
 * (command slot × bad value): each case must end in one `Error:` line (plus at
 * most a `Hint:` line) with cli.md's exit code — 2 for usage errors, including
 * the server's 400 invalid_input; 5 where the server looked the value up and
 * found nothing — and must create nothing. The real binary runs against the
 * real control plane, four processes at a time.
 *
 * Decisions the table records:
 * - `--scope` is case-insensitive (api.md): rw, Rw and RW are valid.
 * - `-f/--format` and `--expiry` are oclif option flags and match exactly: `-f JSON`
 *   and `--expiry 90D` are usage errors (exit 2). `config set output.format JSON`
 *   is valid: the setting is stored lower-cased.
 * - `org update --description` is free text: the server stores control characters
 *   and non-ASCII as given, and the CLI prints them escaped (output/printable.ts).
 * - A repeated boolean flag (`--yes --yes`) is the flag given once; a repeated
 *   value flag is a usage error.
 */
import {expect} from 'chai'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {isolatedDirs, runBinary, type CommandOutput} from '@ndcli/core/testing'
import {startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {ACCOUNT, BIN, expectOneLineError, mapLimit} from './support/cli.js'
import {loggedInCli, type Cli} from './support/harness.js'

const BAD_VALUES = {
  empty: '',
  overlong: 'x'.repeat(10_000),
  'non-ASCII': 'tökén',
  emoji: '🔑🚀',
  'RTL with an override': 'مفتاح\u202Egnp.exe',
  'bell (\\u0007)': 'a\u0007b',
  'ANSI escape': '\u001B[31mred\u001B[0m',
  newline: 'a\nb',
  tab: 'a\tb',
  'command substitution': '$(rm -rf /)',
  'command separator': '; ls',
  pipe: '| cat /etc/passwd',
  backticks: '`id`',
  quotes: `"'"`,
} as const
type BadValue = keyof typeof BAD_VALUES
/** Values that cannot be one URL path segment. */
const DOT_SEGMENTS = {dot: '.', 'dot-dot': '..'}

interface Slot {
  /** e.g. `auth token create --name`. */
  title: string
  argv: (value: string) => string[]
  /** Exit code for the bad values… */
  exitCode: number
  /** …except these. */
  except?: Partial<Record<BadValue | keyof typeof DOT_SEGMENTS, number>>
  /** Extra values for this slot only. */
  extra?: Record<string, string>
  /** Only these of the bad values: for a slot whose parsing another slot already covers with all of them. */
  only?: BadValue[]
  /** Config commands run with their own config directory. */
  config?: boolean
}

/** A sample for flags parsed by the same code as a slot that gets every value (oclif booleans, the shared -f). */
const SAMPLE: BadValue[] = ['empty', 'non-ASCII', 'ANSI escape', 'command substitution']

/** A path argument looked up by the server: nothing by that name (404 → 5), except what cannot be a path segment at all (2, refused locally). */
const LOOKUP = {exitCode: 5, except: {empty: 2, dot: 2, 'dot-dot': 2}, extra: DOT_SEGMENTS}

const SLOTS: Slot[] = [
  // The server's name rule (400 invalid_input → 2); the empty name is refused locally.
  {title: 'auth token create --name', argv: (v) => ['auth', 'token', 'create', '--name', v, '--scope', 'rw'], exitCode: 2},
  {title: 'auth token create --scope', argv: (v) => ['auth', 'token', 'create', '--name', 'bad-scope', '--scope', v], exitCode: 2, extra: {'a third scope': 'RX', 'both scopes': 'RW,RO'}},
  // An org that cannot exist: 404 (5); the empty slug and an overlong one are invalid input (2).
  {title: 'auth token create --org', argv: (v) => ['auth', 'token', 'create', '--name', 'bad-org', '--scope', 'rw', '--org', v], exitCode: 5, except: {empty: 2, overlong: 2}},
  {title: 'auth token create --expiry', argv: (v) => ['auth', 'token', 'create', '--name', 'bad-expiry', '--scope', 'rw', '--expiry', v], exitCode: 2, extra: {'wrong case': '90D', 'no unit': '90', 'negative': '-30d'}},
  {title: 'auth token revoke <name> --yes', argv: (v) => ['auth', 'token', 'revoke', v, '--yes'], ...LOOKUP},
  {title: 'auth token revoke --yes=<value>', argv: (v) => ['auth', 'token', 'revoke', 'ci', `--yes=${v}`], exitCode: 2},
  {title: 'org show <slug>', argv: (v) => ['org', 'show', v], ...LOOKUP},
  {title: 'org update <slug>', argv: (v) => ['org', 'update', v, '--description', 'x'], ...LOOKUP},
  {title: 'auth login --no-browser=<value>', argv: (v) => ['auth', 'login', `--no-browser=${v}`], exitCode: 2, only: SAMPLE},
  {title: 'auth login --force=<value>', argv: (v) => ['auth', 'login', `--force=${v}`], exitCode: 2, only: SAMPLE},
  {title: 'auth status -f', argv: (v) => ['auth', 'status', '-f', v], exitCode: 2, extra: {'wrong case': 'JSON'}},
  ...(['auth token list', 'auth token create --name f --scope rw', 'org list', 'org show acme', 'config list'] as const).map(
    (command): Slot => ({title: `${command} -f`, argv: (v) => [...command.split(' '), '-f', v], exitCode: 2, extra: {'wrong case': 'JSON'}, only: SAMPLE, config: command.startsWith('config')}),
  ),
  {title: 'auth status --json=<value>', argv: (v) => ['auth', 'status', `--json=${v}`], exitCode: 2, only: SAMPLE},
  {title: 'config get <key>', argv: (v) => ['config', 'get', v], exitCode: 2, extra: {'wrong case': 'API.URL'}, config: true},
  {title: 'config unset <key>', argv: (v) => ['config', 'unset', v], exitCode: 2, extra: {'wrong case': 'API.URL'}, only: SAMPLE, config: true},
  {title: 'config set <key>', argv: (v) => ['config', 'set', v, 'json'], exitCode: 2, extra: {'wrong case': 'Output.Format'}, config: true},
  {title: 'config set api.url <value>', argv: (v) => ['config', 'set', 'api.url', v], exitCode: 2, extra: {'no scheme': '127.0.0.1:4680', 'file URL': 'file:///etc/passwd', 'space inside': 'http://exa mple.com'}, config: true},
  {title: 'config set output.format <value>', argv: (v) => ['config', 'set', 'output.format', v], exitCode: 2, config: true},
]

interface Case {
  title: string
  argv: string[]
  exitCode: number
  config?: boolean
}

/** Whole command lines that are wrong in shape: extra positional arguments, repeated or unknown flags. */
const SHAPE_CASES: Case[] = [
  ...[
    'auth login --no-browser',
    'auth logout',
    'auth status',
    'auth token create --name extra --scope rw',
    'auth token list',
    'auth token revoke ci --yes',
    'org list',
    'org show acme',
    'org update acme --description x',
  ].flatMap((command) => [
    {title: `${command} + an extra argument`, argv: [...command.split(' '), 'extra'], exitCode: 2},
    {title: `${command} + two extra arguments`, argv: [...command.split(' '), 'extra', '$(id)'], exitCode: 2},
    {title: `${command} + an unknown flag`, argv: [...command.split(' '), '--bogus'], exitCode: 2},
  ]),
  ...['config list', 'config get api.url', 'config unset api.url', 'config set output.format json'].flatMap((command) => [
    {title: `${command} + an extra argument`, argv: [...command.split(' '), 'extra'], exitCode: 2, config: true},
    {title: `${command} + an unknown flag`, argv: [...command.split(' '), '--bogus'], exitCode: 2, config: true},
  ]),
  {title: 'auth token create, --name twice', argv: ['auth', 'token', 'create', '--name', 'a', '--name', 'b', '--scope', 'rw'], exitCode: 2},
  {title: 'auth token create, --scope twice', argv: ['auth', 'token', 'create', '--name', 'twice', '--scope', 'rw', '--scope', 'ro'], exitCode: 2},
  {title: 'auth token create, --org twice', argv: ['auth', 'token', 'create', '--name', 'twice', '--scope', 'rw', '--org', 'acme', '--org', 'acme'], exitCode: 2},
  {title: 'auth token create, --expiry twice', argv: ['auth', 'token', 'create', '--name', 'twice', '--scope', 'rw', '--expiry', '30d', '--expiry', '60d'], exitCode: 2},
  {title: 'auth token create without --scope', argv: ['auth', 'token', 'create', '--name', 'no-scope'], exitCode: 2},
  {title: 'auth token create without --name', argv: ['auth', 'token', 'create', '--scope', 'rw'], exitCode: 2},
  {title: 'auth token create, --name without a value', argv: ['auth', 'token', 'create', '--scope', 'rw', '--name'], exitCode: 2},
  {title: 'auth token revoke without a name', argv: ['auth', 'token', 'revoke', '--yes'], exitCode: 2},
  {title: 'auth token revoke without --yes and no terminal', argv: ['auth', 'token', 'revoke', 'ci'], exitCode: 2},
  {title: 'org update without --description', argv: ['org', 'update', 'acme'], exitCode: 2},
  {title: 'org update, --description twice', argv: ['org', 'update', 'acme', '--description', 'a', '--description', 'b'], exitCode: 2},
  {title: 'org show, -f twice', argv: ['org', 'show', 'acme', '-f', 'json', '-f', 'table'], exitCode: 2},
  {title: 'org list, --json and -f table', argv: ['org', 'list', '--json', '-f', 'table'], exitCode: 2},
  {title: 'an unknown command', argv: ['auth', 'tokens', 'list'], exitCode: 2},
  {title: 'config set without a value', argv: ['config', 'set', 'api.url'], exitCode: 2, config: true},
]

/** The valid neighbours of the bad values: what they create is all the suite may leave behind. */
const VALID_CASES: Array<Case & {creates?: string}> = [
  ...['rw', 'Rw', 'RW', 'ro', 'rO'].map((scope) => ({title: `--scope ${scope}`, argv: ['auth', 'token', 'create', '--name', `scope-${scope}`, '--scope', scope], exitCode: 0, creates: `scope-${scope}`})),
  {title: 'a repeated boolean flag', argv: ['auth', 'token', 'create', '--name', 'to-revoke', '--scope', 'ro', '--json', '--json'], exitCode: 0, creates: 'to-revoke'},
  ...Object.entries(BAD_VALUES)
    .filter(([name]) => name !== 'overlong')
    .map(([name, value]) => ({title: `org update --description (${name})`, argv: ['org', 'update', 'acme', '--description', value], exitCode: 0})),
  {title: 'config set output.format JSON', argv: ['config', 'set', 'output.format', 'JSON'], exitCode: 0, config: true},
]

function cases(): Array<Case & {slot: string}> {
  const fromSlots = SLOTS.flatMap((slot) =>
    Object.entries({...(slot.only ? Object.fromEntries(slot.only.map((name) => [name, BAD_VALUES[name]])) : BAD_VALUES), ...slot.extra}).map(([name, value]) => ({
      slot: slot.title,
      title: `${slot.title} (${name})`,
      argv: slot.argv(value),
      exitCode: slot.except?.[name as BadValue] ?? slot.exitCode,
      config: slot.config,
    })),
  )
  return [...fromSlots, ...SHAPE_CASES.map((c) => ({...c, slot: 'command shape'}))]
}

/** No raw control characters or bidi overrides reach the terminal (output/printable.ts). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('bad input (every flag and argument, the real CLI against the real control plane)', function () {
  this.timeout(300_000)
  let server: ServerProcess
  let cli: Cli
  let configDirs: Awaited<ReturnType<typeof isolatedDirs>>
  const bad = cases()
  const results = new Map<string, CommandOutput & {argv: string[]; exitExpected: number}>()
  const validResults = new Map<string, CommandOutput>()
  const run = (c: Case) => runBinary(BIN, c.argv, {env: c.config ? configDirs.env : cli.env, timeout: 30_000})

  before(async () => {
    const started = Date.now()
    server = await startServerProcess()
    cli = await loggedInCli(server, ACCOUNT.email, [{slug: 'acme', role: 'superuser'}])
    configDirs = await isolatedDirs()
    // One token to revoke by mistake: bad revoke cases must leave it alone.
    const ci = await cli.ndcli(['auth', 'token', 'create', '--name', 'ci', '--scope', 'ro'])
    expect(ci.exitCode, ci.stderr).to.equal(0)
    await mapLimit(bad, 4, async (c) => results.set(c.title, {...(await run(c)), argv: c.argv, exitExpected: c.exitCode}))
    await mapLimit(VALID_CASES, 4, async (c) => validResults.set(c.title, await run(c)))
    console.log(`      bad-input suite: ${bad.length} bad cases, ${VALID_CASES.length} valid ones, in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
  after(async () => {
    await cli?.cleanup()
    await configDirs?.cleanup()
    await server?.stop()
  })

  const slots = [...new Set(bad.map((c) => c.slot))]
  for (const slot of slots) {
    const mine = bad.filter((c) => c.slot === slot)
    it(`${slot}: ${mine.length} cases, each one error line with its exit code`, () => {
      const failures: string[] = []
      for (const c of mine) {
        const result = results.get(c.title)!
        try {
          expectOneLineError(result, c.exitCode, c.title)
          expect(result.stderr, `${c.title}: raw control characters on stderr`).not.to.match(UNPRINTABLE)
          // stdout carries data only: nothing on failure unless -f json asked for the error document.
          if (result.stdout !== '') expect(JSON.parse(result.stdout), c.title).to.have.nested.property('error.code')
        } catch (error) {
          failures.push(`${JSON.stringify(c.argv).slice(0, 160)}: ${(error as Error).message.slice(0, 400)}`)
        }
      }
      expect(failures, failures.join('\n\n')).to.deep.equal([])
    })
  }

  it('the valid neighbours succeed, and print what they were given escaped', () => {
    for (const c of VALID_CASES) {
      const result = validResults.get(c.title)!
      expect(result.exitCode, `${c.title}: ${result.stderr}`).to.equal(0)
      expect(result.stderr + result.stdout, c.title).not.to.match(UNPRINTABLE)
      expect(result.stderr, c.title).not.to.match(/Error|Warning/)
    }
    // The control characters were stored as given (the API is the record), and shown escaped.
    expect(validResults.get('org update --description (ANSI escape)')!.stdout).to.include('Description: \\u001b[31mred\\u001b[0m')
  })

  it('created nothing but what the valid cases created, and the server never failed', async () => {
    const listed = await cli.ndcli(['auth', 'token', 'list', '-f', 'json'])
    expect(listed.exitCode, listed.stderr).to.equal(0)
    const names = (JSON.parse(listed.stdout) as Array<{name: string}>).map((t) => t.name).sort()
    const created = VALID_CASES.flatMap((c) => (c.creates ? [c.creates] : []))
    expect(names).to.deep.equal(['ci', ...created].sort())
    const config = JSON.parse(await readFile(join(configDirs.env.NDCLI_CONFIG_DIR!, 'config.json'), 'utf8')) as unknown
    expect(config, 'only the valid config set was stored').to.deep.equal({'output.format': 'json'})
    expect(server.log(), 'a 5xx (request failed) in the server log').not.to.include('request failed')
  })
})
