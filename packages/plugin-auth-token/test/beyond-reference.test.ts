/**
 * Beyond the reference page, end to end (the built shell binary against the real control
 * plane): `rotate` with a grace window, `show`, the `list --expiring-within … --fail-if-any`
 * canary for CI, `revoke --stdin` for a leaked value, and `create --quiet`.
 */
import {expect} from 'chai'
import {generatePat} from '@ndcli/core/pat'
import {isolatedDirs, runBinary, type CommandOutput} from '@ndcli/core/testing'
import {startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {expectRefused, HOST_BIN, loggedInCli, localDatePlusDays, withRequests, type Cli} from './harness.js'

const DAY_SECONDS = 86_400
/** A full local timestamp as the detailed views print it. */
const DATE_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d$/
const REVOKED_BY_VALUE = '✓ If that token existed, it has been revoked.\n'

type Item = Record<string, unknown> & {name: string}

describe('auth token, beyond the reference (end to end)', () => {
  let server: ServerProcess
  const cleanups: Array<() => Promise<void>> = []
  const login = async (email: string, orgs: Parameters<typeof loggedInCli>[2] = []) => {
    const cli = await loggedInCli(server, email, orgs)
    cleanups.push(cli.cleanup)
    return cli
  }
  /** `create --quiet`: the secret alone, which is what these tests need. */
  const create = async (cli: Cli, name: string, ...flags: string[]) => {
    const result = await cli.ndcli(['auth', 'token', 'create', '--name', name, '--scope', 'rw', '--quiet', ...flags])
    expect(result.exitCode, result.stderr).to.equal(0)
    return result.stdout.trimEnd()
  }
  /** Whether `secret` still authenticates (a request that any live PAT may make). */
  const works = async (cli: Cli, secret: string) => (await cli.ndcli(['auth', 'token', 'list', '-f', 'json'], {token: secret})).exitCode === 0
  /** `--quiet`: exactly the secret and a newline on stdout, nothing on stderr, and the secret works. */
  const expectOnlyAWorkingSecret = async (cli: Cli, result: CommandOutput) => {
    expect(result.exitCode, result.stderr).to.equal(0)
    expect(result.stderr).to.equal('')
    expect(result.stdout).to.match(/^ndpat_[A-Za-z0-9_-]{43}\n$/)
    expect(await works(cli, result.stdout.trimEnd())).to.equal(true)
  }
  const listed = async (cli: Cli) => JSON.parse((await cli.ndcli(['auth', 'token', 'list', '-f', 'json'])).stdout) as Item[]
  /** Runs `action` with the server's clock moved by `seconds`, then puts it back. */
  const shifted = async <T>(seconds: number, action: () => Promise<T>): Promise<T> => {
    await server.shiftClock(seconds)
    try {
      return await action()
    } finally {
      await server.shiftClock(0)
    }
  }

  before(async () => {
    server = await startServerProcess({env: {NDCLI_SERVER_TEST_CLOCK: '1'}})
  })

  after(async () => {
    await Promise.all(cleanups.map((cleanup) => cleanup()))
    await server?.stop()
  })

  describe('create --quiet', () => {
    let cli: Cli
    before(async () => {
      cli = await login('quiet@example.com')
    })

    it('prints exactly the token and a newline on stdout, nothing on stderr; the token works', async () => {
      await expectOnlyAWorkingSecret(cli, await cli.ndcli(['auth', 'token', 'create', '--name', 'piped', '--scope', 'ro', '--quiet']))
    })

    for (const format of [['-f', 'json'], ['--json'], ['-f', 'table']]) {
      it(`refuses --quiet with ${format.join(' ')} (exit 2) before any request`, async () => {
        const {result, requests} = await withRequests(server, () => cli.ndcli(['auth', 'token', 'create', '--name', 'x', '--scope', 'ro', '--quiet', ...format]))
        expect(result.exitCode).to.equal(2)
        expect(result.stderr).to.match(/^Error: .*--quiet/)
        expect(requests).to.deep.equal([])
      })
    }
  })

  describe('rotate', () => {
    let cli: Cli
    before(async () => {
      cli = await login('rotate@example.com', [{slug: 'ops', role: 'superuser'}])
    })

    it('without --grace: a new secret shown once, the old one refused at once (exit 3), name/scope/org and lifetime kept', async () => {
      const old = await create(cli, 'ci', '--org', 'ops', '--expiry', '30d')
      const result = await cli.ndcli(['auth', 'token', 'rotate', 'ci', '--yes'])
      const secret = /^Token: (ndpat_\S+)$/m.exec(result.stdout)?.[1]
      expect(secret).to.be.a('string').and.not.equal(old)
      expect(result).to.deep.equal({
        exitCode: 0,
        stderr: [
          '✓ Personal access token rotated',
          '⚠ Copy your token now — it will NOT be shown again.',
          'The previous secret no longer works.',
          'Set NDCLI_TOKEN=<token> to use static auth without interactive login.',
          '',
        ].join('\n'),
        stdout: [`Token: ${secret}`, 'Name: ci', 'Scope: RW', 'Org: ops', `Expires: ${localDatePlusDays(30)}`, ''].join('\n'),
      })
      const refused = await cli.ndcli(['auth', 'token', 'list'], {token: old})
      expect(refused.exitCode).to.equal(3)
      expect(refused.stderr).to.match(/^Error: .*rotated/)
      expect(await works(cli, secret!)).to.equal(true)
      expect((await listed(cli)).filter((item) => item.name === 'ci')).to.have.length(1)
    })

    it('with --grace 2m: both secrets work inside the window, only the new one after it', async () => {
      const old = await create(cli, 'deploy')
      const rotated = JSON.parse((await cli.ndcli(['auth', 'token', 'rotate', 'deploy', '--grace', '2m', '--yes', '-f', 'json'])).stdout) as Item
      expect(Object.keys(rotated).sort()).to.deep.equal(['allow_ips', 'created_at', 'expires_at', 'name', 'org', 'previous_valid_until', 'scope', 'token', 'token_prefix'])
      expect(Date.parse(rotated.previous_valid_until as string) - Date.parse(rotated.created_at as string)).to.equal(120_000)
      const secret = rotated.token as string

      // Mid-window, not at its edge: the real seconds this loaded machine spends between the
      // rotation and these requests must not carry the old secret past its end.
      await shifted(60, async () => {
        const inside = await cli.ndcli(['auth', 'token', 'list', '-f', 'simple'], {token: old})
        expect(inside.exitCode).to.equal(0)
        // The old secret lapses with the window, and the client says so.
        expect(inside.stderr).to.match(/^Warning: This personal access token expires (today|in 1 day), at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d\. Rotate it with 'ndcli auth token rotate <name>'/)
        expect(await works(cli, secret)).to.equal(true)
      })
      await shifted(120, async () => {
        expect(await works(cli, old)).to.equal(false)
        expect(await works(cli, secret)).to.equal(true)
      })
    })

    it('keeps a token that never expires never-expiring (-f simple: the data only)', async () => {
      await create(cli, 'forever', '--expiry', 'never')
      const result = await cli.ndcli(['auth', 'token', 'rotate', 'forever', '--yes', '-f', 'simple'])
      expect(result.stdout).to.match(/^Token: ndpat_\S+\nName: forever\nScope: RW\nExpires: Never\n$/)
    })

    it('--quiet prints exactly the new secret and a newline', async () => {
      await create(cli, 'to-store')
      await expectOnlyAWorkingSecret(cli, await cli.ndcli(['auth', 'token', 'rotate', 'to-store', '--grace', '1h', '--yes', '--quiet']))
    })

    const refusals: Array<{title: string; argv: string[]; exitCode: number; stderr: string | RegExp; token?: () => Promise<string>}> = [
      {
        title: 'under NDCLI_TOKEN (exit 4)',
        argv: ['ci', '--yes'],
        token: () => create(cli, `pat-${Math.random().toString(36).slice(2)}`),
        exitCode: 4,
        stderr: "Error: token rotate requires interactive authentication — unset NDCLI_TOKEN and log in with 'ndcli auth login'\n",
      },
      {title: 'without --yes when no one can answer the prompt (exit 2)', argv: ['ci'], exitCode: 2, stderr: /^Error: .*--yes/},
      ...[
        ['2w', 'Error: Expected --grace=2w to be a duration: a whole number followed by s, m, h or d (e.g. 90s, 2m, 12h, 14d).\n'],
        ['1.5h', 'Error: Expected --grace=1.5h to be a duration: a whole number followed by s, m, h or d (e.g. 90s, 2m, 12h, 14d).\n'],
        ['25h', 'Error: Expected --grace=25h to be at most 24h.\n'],
        ['2d', 'Error: Expected --grace=2d to be at most 24h.\n'],
      ].map(([grace, stderr]) => ({title: `--grace ${grace} (exit 2)`, argv: ['ci', '--grace', grace!, '--yes'], exitCode: 2, stderr: stderr!})),
    ]
    for (const {title, argv, exitCode, stderr, token} of refusals) {
      it(`refuses ${title} before any request`, async () => {
        const credential = token ? await token() : undefined
        const {result, requests} = await withRequests(server, () => cli.ndcli(['auth', 'token', 'rotate', ...argv], {token: credential}))
        expectRefused(result, requests, {exitCode, stderr})
      })
    }

    it('exits 5 for a name that is not a token', async () => {
      const result = await cli.ndcli(['auth', 'token', 'rotate', 'nope', '--yes'])
      expect(result.exitCode).to.equal(5)
      expect(result.stderr).to.include('"nope"')
    })
  })

  describe('show', () => {
    let cli: Cli
    let secret: string
    let prefix: string
    before(async () => {
      cli = await login('show@example.com', [{slug: 'observability', role: 'read-write'}])
      secret = await create(cli, 'monitor', '--org', 'observability', '--expiry', '30d')
      prefix = secret.slice(0, 12)
      expect(await works(cli, secret)).to.equal(true)
    })

    const labelled = (output: CommandOutput) => output.stdout.trimEnd().split('\n').map((line) => line.split(/:\s+/, 2) as [string, string])

    it('-f table: every field as "Label: value", expiry with the days left, last use as a full time', async () => {
      const result = await cli.ndcli(['auth', 'token', 'show', 'monitor'])
      expect(result.exitCode, result.stderr).to.equal(0)
      const fields = labelled(result)
      expect(fields.map(([label]) => label)).to.deep.equal(['Name', 'Prefix', 'Scope', 'Org', 'Created', 'Expires', 'Last used', 'Last used IP', 'Status'])
      const values = Object.fromEntries(fields)
      expect(values).to.deep.include({Name: 'monitor', Prefix: prefix, Scope: 'RW', Org: 'observability', Expires: `${localDatePlusDays(30)} (30 days left)`, 'Last used IP': '127.0.0.1', Status: 'active'})
      expect(values.Created).to.match(DATE_TIME)
      expect(values['Last used']).to.match(DATE_TIME)
      expect(result.stdout).not.to.include(secret)
    })

    it('-f simple: the same lines (a record has no heading to drop)', async () => {
      const [table, simple] = await Promise.all([cli.ndcli(['auth', 'token', 'show', 'monitor']), cli.ndcli(['auth', 'token', 'show', 'monitor', '-f', 'simple'])])
      expect(simple.stdout).to.equal(table.stdout)
    })

    it('-f detailed: aligned, every field including the (empty) grace window', async () => {
      const result = await cli.ndcli(['auth', 'token', 'show', 'monitor', '-f', 'detailed'])
      const lines = result.stdout.trimEnd().split('\n')
      expect(lines).to.have.length(12)
      expect(new Set(lines.map((line) => line.search(/(?<=:\s+)\S/)))).to.have.property('size', 1)
      expect(lines.at(-1)).to.match(/^Previous secret valid until:\s+-$/)
    })

    it('-f json: the API item, the same as in the list, never the secret', async () => {
      const result = await cli.ndcli(['auth', 'token', 'show', 'monitor', '-f', 'json'])
      const item = JSON.parse(result.stdout) as Item
      expect(item).to.deep.equal((await listed(cli)).find((listedItem) => listedItem.name === 'monitor'))
      expect(item.previous_valid_until).to.equal(null)
      expect(result.stdout).not.to.include(secret)
    })

    it('during a grace window, says until when the previous secret is still accepted', async () => {
      await create(cli, 'rolling')
      const rotated = JSON.parse((await cli.ndcli(['auth', 'token', 'rotate', 'rolling', '--grace', '10m', '--yes', '-f', 'json'])).stdout) as Item
      const result = await cli.ndcli(['auth', 'token', 'show', 'rolling'])
      const [label, value] = labelled(result).at(-1)!
      expect(label).to.equal('Previous secret valid until')
      expect(value).to.match(DATE_TIME)
      expect(new Date(value.replace(' ', 'T').replace(' ', '')).toISOString()).to.equal(new Date(Math.floor(Date.parse(rotated.previous_valid_until as string) / 1000) * 1000).toISOString())
    })

    it('works under NDCLI_TOKEN, like list', async () => {
      const result = await cli.ndcli(['auth', 'token', 'show', 'monitor', '-f', 'json'], {token: secret})
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(JSON.parse(result.stdout)).to.include({name: 'monitor'})
    })

    it('exits 5 for a name that is not a token', async () => {
      const result = await cli.ndcli(['auth', 'token', 'show', 'nope'])
      expect(result).to.deep.include({exitCode: 5, stdout: ''})
      expect(result.stderr).to.include('"nope"')
    })
  })

  describe('list --expiring-within (the CI canary)', () => {
    let cli: Cli
    let clean: Cli
    let pat: string
    before(async () => {
      cli = await login('canary@example.com')
      // Created 31 days ago by the server's clock: a 30d token that has expired.
      await shifted(-31 * DAY_SECONDS, () => create(cli, 'lapsed', '--expiry', '30d'))
      await create(cli, 'soon', '--expiry', '30d')
      pat = await create(cli, 'later', '--expiry', '90d')
      await create(cli, 'forever', '--expiry', 'never')
      clean = await login('clean@example.com')
      await create(clean, 'fresh', '--expiry', '90d')
    })

    const cases: Array<{argv: string[]; who?: 'clean' | 'pat'; exitCode: number; names?: string[]; stdout?: string}> = [
      {argv: ['--expiring-within', '14d'], exitCode: 0, names: ['lapsed']},
      {argv: ['--expiring-within', '31d'], exitCode: 0, names: ['lapsed', 'soon']},
      {argv: ['--expiring-within', '3650d'], exitCode: 0, names: ['lapsed', 'soon', 'later']},
      {argv: ['--expiring-within', '14d', '--fail-if-any'], exitCode: 8, names: ['lapsed']},
      {argv: ['--expiring-within', '31d', '--fail-if-any'], who: 'pat', exitCode: 8, names: ['lapsed', 'soon']},
      {argv: ['--expiring-within', '14d', '--fail-if-any'], who: 'clean', exitCode: 0, names: []},
    ]
    for (const {argv, who, exitCode, names} of cases) {
      it(`${argv.join(' ')}${who ? ` (${who === 'pat' ? 'under NDCLI_TOKEN' : 'nothing expiring'})` : ''} → ${names!.join(', ') || 'none'}, exit ${exitCode}`, async () => {
        const run = (format: string) =>
          (who === 'clean' ? clean : cli).ndcli(['auth', 'token', 'list', ...argv, '-f', format], {token: who === 'pat' ? pat : undefined})
        const json = await run('json')
        expect(json.exitCode, json.stderr).to.equal(exitCode)
        expect((JSON.parse(json.stdout) as Item[]).map((item) => item.name)).to.deep.equal(names)
        const simple = await run('simple')
        expect(simple.exitCode).to.equal(exitCode)
        expect(simple.stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0])).to.deep.equal(names)
        if (names!.length === 0) expect(simple.stderr).to.equal('No personal access tokens expire within 14d\n')
      })
    }

    it('the table marks what has expired, and says so when nothing matches', async () => {
      const table = await cli.ndcli(['auth', 'token', 'list', '--expiring-within', '31d'])
      expect(table.stdout).to.match(/│ lapsed +│.*│ expired │/).and.match(/│ soon +│.*│ active +│/).and.include('Total: 2 token(s)')
      expect(await clean.ndcli(['auth', 'token', 'list', '--expiring-within', '2h', '--fail-if-any'])).to.deep.equal({
        exitCode: 0,
        stdout: '',
        stderr: 'No personal access tokens expire within 2h\n',
      })
    })

    for (const [argv, stderr] of [
      [['--expiring-within', '2w'], 'Error: Expected --expiring-within=2w to be a duration: a whole number followed by s, m, h or d (e.g. 90s, 2m, 12h, 14d).\n'],
      [['--expiring-within', '14'], 'Error: Expected --expiring-within=14 to be a duration: a whole number followed by s, m, h or d (e.g. 90s, 2m, 12h, 14d).\n'],
      [['--fail-if-any'], 'Error: All of the following must be provided when using --fail-if-any: --expiring-within\n'],
    ] as const) {
      it(`refuses ${argv.join(' ')} with exit 2, before any request`, async () => {
        const {result, requests} = await withRequests(server, () => cli.ndcli(['auth', 'token', 'list', ...argv]))
        expect(result).to.deep.equal({exitCode: 2, stdout: '', stderr})
        expect(requests).to.deep.equal([])
      })
    }
  })

  describe('revoke --stdin', () => {
    let owner: Cli
    let loggedOut: {ndcli(args: string[], input: string, token?: string): Promise<CommandOutput>}
    before(async () => {
      owner = await login('leaky@example.com')
      const dirs = await isolatedDirs()
      cleanups.push(dirs.cleanup)
      loggedOut = {ndcli: (args, input, token) => runBinary(HOST_BIN, args, {input, env: {...dirs.env, NDCLI_API_URL: server.url, NDCLI_TOKEN: token}})}
    })

    it('revokes the token the value belongs to, logged out, without echoing it; the owner no longer lists it', async () => {
      const leaked = await create(owner, 'leaked')
      const kept = await create(owner, 'kept')
      const {result, requests} = await withRequests(server, () => loggedOut.ndcli(['auth', 'token', 'revoke', '--stdin'], `${leaked}\n`))
      expect(result).to.deep.equal({exitCode: 0, stdout: '', stderr: REVOKED_BY_VALUE})
      expect(requests).to.deep.equal(['POST /api/v1/credentials/revoke'])
      expect((await listed(owner)).map((item) => item.name)).to.deep.equal(['kept'])
      expect(await works(owner, leaked)).to.equal(false)
      expect(await works(owner, kept)).to.equal(true)
    })

    it('answers exactly the same for a value that names no token, or one already revoked', async () => {
      const leaked = await create(owner, 'twice')
      const outputs = []
      for (const value of [leaked, leaked, generatePat(), `${generatePat()}\r\n`]) {
        outputs.push(await loggedOut.ndcli(['auth', 'token', 'revoke', '--stdin'], value))
      }
      expect(outputs).to.deep.equal(Array(4).fill({exitCode: 0, stdout: '', stderr: REVOKED_BY_VALUE}))
    })

    it('-f json: the display prefix and that it was submitted, never the value', async () => {
      const value = generatePat()
      const result = await loggedOut.ndcli(['auth', 'token', 'revoke', '--stdin', '-f', 'json'], value)
      expect(JSON.parse(result.stdout)).to.deep.equal({token_prefix: value.slice(0, 12), submitted: true})
      expect(result.stdout + result.stderr).not.to.include(value)
    })

    it('is allowed under NDCLI_TOKEN (presenting the value is the proof) and does not need that token to be valid for it', async () => {
      const credential = await create(owner, 'ci-credential')
      const leaked = await create(owner, 'leaked-too')
      const result = await loggedOut.ndcli(['auth', 'token', 'revoke', '--stdin'], leaked, credential)
      expect(result).to.deep.equal({exitCode: 0, stdout: '', stderr: REVOKED_BY_VALUE})
      expect(await works(owner, leaked)).to.equal(false)
      expect(await works(owner, credential)).to.equal(true)
    })

    const truncated = generatePat().slice(0, -3)
    const usage: Array<{title: string; argv: string[]; input: string; stderr: string}> = [
      {title: 'empty stdin', argv: ['--stdin'], input: '', stderr: 'Error: Expected a token value on stdin, got nothing.\n'},
      {
        title: 'a truncated value',
        argv: ['--stdin'],
        input: `${truncated}\n`,
        stderr: 'Error: The value on stdin is not a personal access token: it looks truncated: 40 of 43 characters after "ndpat_".\n',
      },
      {title: 'a value that is no token at all', argv: ['--stdin'], input: 'hunter2\n', stderr: 'Error: The value on stdin is not a personal access token: it does not start with "ndpat_".\n'},
      {title: 'a name and --stdin', argv: ['kept', '--stdin'], input: generatePat(), stderr: 'Error: Give either a token name or --stdin, not both.\n'},
      {title: 'neither a name nor --stdin', argv: [], input: generatePat(), stderr: 'Error: Expected the name of the token to revoke, or --stdin to read a token value.\n'},
    ]
    for (const {title, argv, input, stderr} of usage) {
      it(`refuses ${title} with exit 2, never echoing the input, before any request`, async () => {
        const {result, requests} = await withRequests(server, () => loggedOut.ndcli(['auth', 'token', 'revoke', ...argv], input))
        expect(result).to.deep.equal({exitCode: 2, stdout: '', stderr})
        expect(requests).to.deep.equal([])
      })
    }

    it('is rate-limited per address: then exit 1 with the wait, and nothing revoked', async () => {
      const limited = await startServerProcess({env: {NDCLI_SERVER_CREDENTIAL_REVOKE_LIMIT: '2'}})
      try {
        const victim = await loggedInCli(limited, 'victim@example.com')
        cleanups.push(victim.cleanup)
        const revoke = (value: string) => runBinary(HOST_BIN, ['auth', 'token', 'revoke', '--stdin'], {input: value, env: {...victim.env, NDCLI_API_URL: limited.url}})
        for (let i = 0; i < 2; i++) expect((await revoke(generatePat())).exitCode).to.equal(0)
        const secret = (await victim.ndcli(['auth', 'token', 'create', '--name', 'survivor', '--scope', 'ro', '--quiet'])).stdout.trimEnd()
        const refused = await revoke(secret)
        expect(refused.exitCode).to.equal(1)
        expect(refused.stderr).to.match(/^Error: Too many credential revocations from your address: try again in \d+ seconds\.\nHint: Wait a minute/)
        expect(refused.stderr).not.to.include(secret)
        expect((await victim.ndcli(['auth', 'token', 'list', '-f', 'json'], {token: secret})).exitCode).to.equal(0)
      } finally {
        await limited.stop()
      }
    })
  })

  describe('help', () => {
    it('`auth token --help` lists the new verbs', async () => {
      const result = await runBinary(HOST_BIN, ['auth', 'token', '--help'])
      expect(result.stdout).to.match(/auth token rotate +Issue a new secret/).and.match(/auth token show +Show every field/)
    })

    for (const [verb, examples] of [
      ['rotate', ['--grace 10m --yes', '--quiet | gh secret set NDCLI_TOKEN']],
      ['show', ['show github-ci']],
      ['list', ['--expiring-within 14d --fail-if-any', 'exit 8']],
      ['revoke', ['--stdin < leaked-token.txt']],
      ['create', ['--quiet | gh secret set']],
    ] as const) {
      it(`\`auth token ${verb} --help\` has examples: ${examples.join('; ')}`, async () => {
        const {stdout} = await runBinary(HOST_BIN, ['auth', 'token', verb, '--help'])
        // Help wraps long lines (with a trailing backslash in examples): compare the words.
        const text = stdout.replace(/\s*\\\n\s*/g, ' ').replace(/\s+/g, ' ')
        for (const example of examples) expect(text).to.include(example)
      })
    }
  })
})
