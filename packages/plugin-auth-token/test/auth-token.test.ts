/**
 * `auth token create|list|revoke` end to end: the built shell binary against the
 * real control plane, logged in through the device flow (auth-token-reference.txt, cli.md).
 */
import {expect} from 'chai'
import {runCommand, stubPrompter} from '@ndcli/core/testing'
import {startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import TokenRevoke from '../src/commands/auth/token/revoke.js'
import {expectRefused, loggedInCli, localDatePlusDays, SHELL_ROOT, tokenFrom, withRequests, type Cli} from './harness.js'

const DAY_SECONDS = 86_400
const HEADING = '✓ Personal access token created'
const NDCLI_TOKEN_HINT = 'Set NDCLI_TOKEN=<token> to use static auth without interactive login.'
const SESSION_ONLY = "token create/revoke requires interactive authentication — unset NDCLI_TOKEN and log in with 'ndcli auth login'"

describe('auth token (end to end)', () => {
  let server: ServerProcess
  const clis: Cli[] = []
  const login = async (email: string, orgs: Parameters<typeof loggedInCli>[2] = []) => {
    const cli = await loggedInCli(server, email, orgs)
    clis.push(cli)
    return cli
  }

  before(async () => {
    server = await startServerProcess({env: {NDCLI_SERVER_TEST_CLOCK: '1'}})
  })

  after(async () => {
    await Promise.all(clis.map((cli) => cli.cleanup()))
    await server?.stop()
  })

  describe('the reference walk-through', () => {
    let cli: Cli
    let rw: {token: string; prefix: string}
    let ro: {token: string; prefix: string}
    const expires90 = localDatePlusDays(90)

    before(async () => {
      cli = await login('alice@example.com', [
        {slug: 'ops', role: 'superuser'},
        {slug: 'dev', role: 'superuser'},
      ])
    })

    it('creates a read-write token valid for 90 days, printed as the reference prints it', async () => {
      const result = await cli.ndcli(['auth', 'token', 'create', '--name', 'github-ci', '--scope', 'rw', '--expiry', '90d'])
      const token = tokenFrom(result)
      rw = {token, prefix: token.slice(0, 12)}
      // The reference's lines, split by the stream rule: the record (and the secret) on stdout, status lines on stderr.
      expect(result).to.deep.equal({
        exitCode: 0,
        stderr: [HEADING, '⚠ Copy your token now — it will NOT be shown again.', NDCLI_TOKEN_HINT, ''].join('\n'),
        stdout: [`Token: ${token}`, 'Name: github-ci', 'Scope: RW', `Expires: ${expires90}`, ''].join('\n'),
      })
      expect(token).to.match(/^ndpat_[A-Za-z0-9_-]{43}$/)
    })

    it('creates a read-only token restricted to ops that never expires', async () => {
      const result = await cli.ndcli(['auth', 'token', 'create', '--name', 'readonly-monitor', '--scope', 'ro', '--org', 'ops', '--expiry', 'never'])
      const token = tokenFrom(result)
      ro = {token, prefix: token.slice(0, 12)}
      expect(result).to.deep.equal({
        exitCode: 0,
        stderr: [HEADING, '⚠ Copy your token now — it will NOT be shown again.', NDCLI_TOKEN_HINT, ''].join('\n'),
        stdout: [`Token: ${token}`, 'Name: readonly-monitor', 'Scope: RO', 'Org: ops', 'Expires: Never', ''].join('\n'),
      })
    })

    it('lists both in the reference table', async () => {
      const result = await cli.ndcli(['auth', 'token', 'list'])
      expect(result.stderr).to.equal('')
      expect(result.stdout.split('\n')).to.deep.equal([
        '╭──────────────────┬──────────────┬───────┬─────┬────────────┬───────────┬─────────╮',
        '│ NAME             │ PREFIX       │ SCOPE │ ORG │ EXPIRES    │ LAST USED │ STATUS  │',
        '├──────────────────┼──────────────┼───────┼─────┼────────────┼───────────┼─────────┤',
        `│ github-ci        │ ${rw.prefix} │ RW    │ -   │ ${expires90} │ Never     │ active  │`,
        `│ readonly-monitor │ ${ro.prefix} │ RO    │ ops │ Never      │ Never     │ active  │`,
        '╰──────────────────┴──────────────┴───────┴─────┴────────────┴───────────┴─────────╯',
        'Total: 2 token(s)',
        '',
      ])
    })

    it('lists metadata as JSON without any secret', async () => {
      const result = await cli.ndcli(['auth', 'token', 'list', '-f', 'json'])
      const items = JSON.parse(result.stdout) as Array<Record<string, unknown>>
      expect(items.map((item) => [item.name, item.token_prefix, item.scope, item.org])).to.deep.equal([
        ['github-ci', rw.prefix, 'RW', null],
        ['readonly-monitor', ro.prefix, 'RO', 'ops'],
      ])
      expect(items.every((item) => !('token' in item))).to.equal(true)
      expect(result.stdout).not.to.include(rw.token).and.not.to.include(ro.token)
    })

    it('lists one tab-separated line per token with -f simple', async () => {
      const result = await cli.ndcli(['auth', 'token', 'list', '-f', 'simple'])
      expect(result.stdout).to.equal(
        `github-ci\t${rw.prefix}\tRW\t-\t${expires90}\tNever\tactive\n` + `readonly-monitor\t${ro.prefix}\tRO\tops\tNever\tNever\tactive\n`,
      )
    })

    it('lists with NDCLI_TOKEN set to the read-write token, which marks it used', async () => {
      const result = await cli.ndcli(['auth', 'token', 'list', '-f', 'simple'], {token: rw.token})
      expect(result.exitCode).to.equal(0)
      expect(result.stdout.split('\n')[0]).to.equal(`github-ci\t${rw.prefix}\tRW\t-\t${expires90}\tnow\tactive`)
    })

    it('shows every field of every token with -f detailed, created time and last-used IP included', async () => {
      const result = await cli.ndcli(['auth', 'token', 'list', '-f', 'detailed'])
      const blocks = result.stdout.trimEnd().split('\n\n')
      expect(blocks.pop()).to.equal('Total: 2 token(s)')
      const labelled = blocks.map((block) => Object.fromEntries(block.split('\n').map((line) => line.split(/:\s+/, 2) as [string, string])))
      expect(labelled.map((fields) => Object.keys(fields))).to.deep.equal(
        Array(2).fill(['Name', 'Prefix', 'Scope', 'Org', 'Expires', 'Last used', 'Status', 'Allowed IPs', 'Cannot reach', 'Created', 'Last used IP']),
      )
      expect(labelled.map((fields) => [fields.Name, fields['Last used'], fields['Last used IP']])).to.deep.equal([
        ['github-ci', 'now', '127.0.0.1'],
        ['readonly-monitor', 'Never', '-'],
      ])
      expect(labelled.every((fields) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d$/.test(fields.Created!))).to.equal(true)
    })

    for (const [verb, argv] of [
      ['create', ['auth', 'token', 'create', '--name', 'from-a-pat', '--scope', 'rw']],
      ['revoke', ['auth', 'token', 'revoke', 'readonly-monitor', '--yes']],
    ] as const) {
      it(`refuses token ${verb} under NDCLI_TOKEN before any request`, async () => {
        const {result, requests} = await withRequests(server, () => cli.ndcli([...argv], {token: rw.token}))
        expect(result).to.deep.include({exitCode: 4, stdout: '', stderr: `Error: ${SESSION_ONLY}\n`})
        expect(requests).to.deep.equal([])
      })
    }

    it('reports that refusal as the json error document when output.format is json in config', async () => {
      expect((await cli.ndcli(['config', 'set', 'output.format', 'json'])).exitCode).to.equal(0)
      try {
        const result = await cli.ndcli(['auth', 'token', 'rotate', 'readonly-monitor', '--yes'], {token: rw.token})
        expect(result.exitCode).to.equal(4)
        expect(JSON.parse(result.stdout)).to.deep.equal({error: {code: 'pat_not_allowed', message: SESSION_ONLY.replace('create/revoke', 'rotate')}})
      } finally {
        await cli.ndcli(['config', 'unset', 'output.format'])
      }
    })

    it('sees requests of a command that is allowed under NDCLI_TOKEN (the check above is not vacuous)', async () => {
      const {requests} = await withRequests(server, () => cli.ndcli(['auth', 'token', 'list'], {token: rw.token}))
      expect(requests).to.deep.equal(['GET /api/v1/auth/tokens'])
    })

    const permissions: Array<{title: string; token: () => string; argv: string[]; exitCode: number; stderr: RegExp}> = [
      {title: 'the RW token can update ops', token: () => rw.token, argv: ['org', 'update', 'ops', '--description', 'Operations'], exitCode: 0, stderr: /^✓ Organization "ops" updated\n$/},
      {title: 'the RO token can read ops', token: () => ro.token, argv: ['org', 'show', 'ops'], exitCode: 0, stderr: /^$/},
      {title: 'the RO token cannot update ops', token: () => ro.token, argv: ['org', 'update', 'ops', '--description', 'x'], exitCode: 4, stderr: /^Error: .*read-only/},
      {title: 'the ops-restricted token cannot read dev', token: () => ro.token, argv: ['org', 'show', 'dev'], exitCode: 4, stderr: /^Error: .*restricted.*"dev"/},
      {title: 'the ops-restricted token sees only ops', token: () => ro.token, argv: ['org', 'list', '-f', 'simple'], exitCode: 0, stderr: /^$/},
    ]
    for (const {title, token, argv, exitCode, stderr} of permissions) {
      it(title, async () => {
        const result = await cli.ndcli(argv, {token: token()})
        expect(result.exitCode, result.stderr).to.equal(exitCode)
        expect(result.stderr).to.match(stderr)
      })
    }

    it('refuses to revoke without --yes when stdin is not a TTY, and revokes nothing', async () => {
      const {result, requests} = await withRequests(server, () => cli.ndcli(['auth', 'token', 'revoke', 'github-ci']))
      expect(result.exitCode).to.equal(2)
      expect(result.stderr).to.match(/^Error: .*--yes/)
      expect(requests).to.deep.equal([])
      expect((await cli.ndcli(['auth', 'token', 'list', '-f', 'simple'])).stdout).to.match(/^github-ci\t/m)
    })

    it('revokes with --yes; the next command with that token exits 3 saying it was revoked', async () => {
      const revoked = await cli.ndcli(['auth', 'token', 'revoke', 'github-ci', '--yes'])
      expect(revoked).to.deep.equal({exitCode: 0, stdout: '', stderr: '✓ Token "github-ci" revoked\n'})
      const next = await cli.ndcli(['auth', 'token', 'list'], {token: rw.token})
      expect(next.exitCode).to.equal(3)
      expect(next.stderr).to.match(/^Error: .*revoked/)
      const list = await cli.ndcli(['auth', 'token', 'list'])
      expect(list.stdout).not.to.include('github-ci')
      expect(list.stdout).to.include('Total: 1 token(s)')
    })

    it('exits 5 when revoking a name that is not (or no longer) a token', async () => {
      const result = await cli.ndcli(['auth', 'token', 'revoke', 'github-ci', '--yes'])
      expect(result.exitCode).to.equal(5)
      expect(result.stderr).to.include('github-ci')
    })
  })

  describe('create: choices and conflicts', () => {
    let cli: Cli
    before(async () => {
      cli = await login('bob@example.com')
      const taken = await cli.ndcli(['auth', 'token', 'create', '--name', 'taken', '--scope', 'rw'])
      expect(taken.exitCode, taken.stderr).to.equal(0)
    })

    const cases: Array<{title: string; flags: string[]; exitCode: number; stderr: string | RegExp; requests: string[]}> = [
      {title: 'a duplicate name → 6 naming it', flags: ['--name', 'taken', '--scope', 'rw'], exitCode: 6, stderr: /^Error: .*"taken"/, requests: ['POST /api/v1/auth/tokens']},
      {title: 'an unknown --scope → 2 listing the choices', flags: ['--name', 'n1', '--scope', 'rx'], exitCode: 2, stderr: 'Error: Expected --scope=rx to be one of: RW, RO\n', requests: []},
      {
        title: 'an unknown --expiry → 2 listing the choices',
        flags: ['--name', 'n2', '--scope', 'rw', '--expiry', '7d'],
        exitCode: 2,
        stderr: 'Error: Expected --expiry=7d to be one of: 30d, 60d, 90d, 180d, 365d, never\n',
        requests: [],
      },
      {title: 'a blank --name → 2', flags: ['--name', ' ', '--scope', 'rw'], exitCode: 2, stderr: 'Error: Expected a non-empty --name.\n', requests: []},
      {title: 'a --name with a trailing space → 2', flags: ['--name', 'ci ', '--scope', 'rw'], exitCode: 2, stderr: 'Error: --name must not begin or end with whitespace: use --name "ci".\n', requests: []},
      {title: 'a --name with a leading tab → 2', flags: ['--name', '\tci', '--scope', 'rw'], exitCode: 2, stderr: 'Error: --name must not begin or end with whitespace: use --name "ci".\n', requests: []},
      {title: 'no --scope → 2', flags: ['--name', 'n3'], exitCode: 2, stderr: 'Error: Missing required flag --scope\n', requests: []},
      {title: 'no --name → 2', flags: ['--scope', 'ro'], exitCode: 2, stderr: 'Error: Missing required flag --name\n', requests: []},
      {title: 'neither --name nor --scope → 2, naming both in one line', flags: [], exitCode: 2, stderr: 'Error: Missing required flags --name and --scope\n', requests: []},
    ]
    for (const {title, flags, exitCode, stderr, requests} of cases) {
      it(title, async () => {
        const {result, requests: seen} = await withRequests(server, () => cli.ndcli(['auth', 'token', 'create', ...flags]))
        expectRefused(result, seen, {exitCode, stderr, requests})
      })
    }

    for (const [input, scope] of [['rw', 'RW'], ['Ro', 'RO'], ['rW', 'RW']] as const) {
      it(`accepts --scope ${input} as ${scope}`, async () => {
        const result = await cli.ndcli(['auth', 'token', 'create', '--name', `scope ${input}`, '--scope', input, '--expiry', '30d'])
        expect(result.exitCode, result.stderr).to.equal(0)
        expect(result.stdout).to.include(`\nScope: ${scope}\n`).and.include(`\nExpires: ${localDatePlusDays(30)}\n`)
      })
    }

    it('prints the API create response with -f json', async () => {
      const result = await cli.ndcli(['auth', 'token', 'create', '--name', 'for-scripts', '--scope', 'ro', '-f', 'json'])
      const created = JSON.parse(result.stdout) as Record<string, unknown>
      expect(Object.keys(created).sort()).to.deep.equal(['allow_ips', 'created_at', 'expires_at', 'name', 'org', 'policy_check', 'scope', 'token', 'token_prefix'])
      expect(created).to.deep.include({name: 'for-scripts', scope: 'RO', org: null})
      expect(created.token).to.be.a('string').and.match(/^ndpat_/)
      expect(created.token_prefix).to.equal((created.token as string).slice(0, 12))
      expect(Date.parse(created.expires_at as string) - Date.parse(created.created_at as string)).to.equal(90 * DAY_SECONDS * 1000)
    })
  })

  describe('revoke: names and answers', () => {
    let cli: Cli
    before(async () => {
      cli = await login('carol@example.com')
    })
    const listedNames = async () => (JSON.parse((await cli.ndcli(['auth', 'token', 'list', '-f', 'json'])).stdout) as Array<{name: string}>).map((t) => t.name)

    it('revokes a name with spaces and dots, percent-encoded in the path; -f json reports it', async () => {
      const name = 'deploy bot v1.2'
      expect((await cli.ndcli(['auth', 'token', 'create', '--name', name, '--scope', 'rw'])).exitCode).to.equal(0)
      const {result, requests} = await withRequests(server, () => cli.ndcli(['auth', 'token', 'revoke', name, '--yes', '-f', 'json']))
      expect(JSON.parse(result.stdout)).to.deep.equal({name, revoked: true})
      expect(requests).to.deep.equal(['DELETE /api/v1/auth/tokens/deploy%20bot%20v1.2'])
      expect(await listedNames()).not.to.include(name)
    })

    it('keeps URL-special characters inside the name: an unknown "a/b?c#d" is a 404 (exit 5), not another route', async () => {
      const {result, requests} = await withRequests(server, () => cli.ndcli(['auth', 'token', 'revoke', 'a/b?c#d', '--yes']))
      expect(result.exitCode).to.equal(5)
      expect(result.stderr).to.include('"a/b?c#d"')
      expect(requests).to.deep.equal(['DELETE /api/v1/auth/tokens/a%2Fb%3Fc%23d'])
    })

    // The prompt itself (inquirer on a TTY) is replaced by answers; the command runs in-process against the real server.
    for (const {answer, name, stderr, listed} of [
      {answer: false, name: 'answered-no', stderr: 'Aborted.\n', listed: true},
      {answer: true, name: 'answered-yes', stderr: '✓ Token "answered-yes" revoked\n', listed: false},
    ]) {
      it(`asks on a terminal; answering ${answer ? 'yes revokes' : 'no aborts with exit 0 and revokes nothing'}`, async () => {
        expect((await cli.ndcli(['auth', 'token', 'create', '--name', name, '--scope', 'ro'])).exitCode).to.equal(0)
        const prompter = stubPrompter([answer])
        let result
        try {
          result = await runCommand(TokenRevoke, [name], {root: SHELL_ROOT, env: cli.env})
        } finally {
          prompter.restore()
        }
        expect(prompter.asked).to.deep.equal([`Revoke the token "${name}"? This cannot be undone.`])
        expect(result).to.deep.include({exitCode: 0, stdout: '', stderr})
        expect((await listedNames()).includes(name)).to.equal(listed)
      })
    }
  })

  describe('list: no tokens', () => {
    let cli: Cli
    before(async () => {
      cli = await login('dave@example.com')
    })

    // Nothing on stdout for people (the message is on stderr), `[]` for scripts.
    for (const [format, stdout, stderr] of [
      ['table', '', 'No personal access tokens found\n'],
      ['json', '[]\n', ''],
      ['simple', '', 'No personal access tokens found\n'],
      ['detailed', '', 'No personal access tokens found\n'],
    ] as const) {
      it(`-f ${format}`, async () => {
        expect(await cli.ndcli(['auth', 'token', 'list', '-f', format])).to.deep.equal({exitCode: 0, stdout, stderr})
      })
    }
  })

  describe('expiry warning', () => {
    let cli: Cli
    const tokens: Record<string, string> = {}
    before(async () => {
      cli = await login('erin@example.com')
      const create = async (name: string) => (tokens[name] = tokenFrom(await cli.ndcli(['auth', 'token', 'create', '--name', name, '--scope', 'ro', '--expiry', '30d'])))
      await create('thirty-days-left')
      // The client compares NDCLI-Token-Expires-At with its own clock: a 30d token created
      // while the server's clock is 25 days behind has 5 days left in real time.
      await server.shiftClock(-25 * DAY_SECONDS)
      try {
        await create('five-days-left')
      } finally {
        await server.shiftClock(0)
      }
    })

    for (const [name, expected] of [
      ['thirty-days-left', []],
      ['five-days-left', [/^Warning: This personal access token expires in [45] days, on \d{4}-\d\d-\d\d\. Rotate it with 'ndcli auth token rotate <name>'/]],
    ] as const) {
      it(`${name}: ${expected.length} warning(s) on stderr`, async () => {
        const result = await cli.ndcli(['auth', 'token', 'list', '-f', 'simple'], {token: tokens[name]})
        expect(result.exitCode, result.stderr).to.equal(0)
        expect(result.stdout).to.match(new RegExp(`^${name}\\t`, 'm'))
        const warnings = result.stderr.split('\n').filter((line) => line.startsWith('Warning:'))
        expect(warnings).to.have.lengthOf(expected.length)
        expected.forEach((pattern, index) => expect(warnings[index]).to.match(pattern))
      })
    }
  })
})
