/**
 * Issue 21 end to end: `org policy show|set`, `auth token create` against each policy rule
 * (allowed and refused), the policies shown before a token is made (in a pseudo-terminal and
 * with --dry-run), and per-token IP allowlists, with the built shell against the real server.
 */
import {expect} from 'chai'
import {runBinary} from '@ndcli/core/testing'
import {startServerProcess, TEST_BACKENDS, testStorage, withRequests, type ServerProcess} from '@ndcli/server/testing'

import {loggedInCli, type Cli} from './support/harness.js'
import {runInPty} from './support/pty.js'

const BIN = new URL('../bin/run.js', import.meta.url).pathname

interface Listed {
  name: string
  allow_ips: string[] | null
  unreachable_orgs: Array<{org: string; reason: string}>
}

for (const backend of TEST_BACKENDS) describe(`[${backend}] org token policy and IP allowlists (end to end)`, () => {
  let server: ServerProcess
  let storage: Awaited<ReturnType<typeof testStorage>>
  let admin: Cli
  let member: Cli
  /** The server listens dual-stack: the CLI reaches it from 127.0.0.1 (server.url) and from ::1 (this URL). */
  let ipv6Url: string

  before(async () => {
    storage = await testStorage(backend)
    const dualStack = await startServerProcess({databaseUrl: storage.databaseUrl, host: '::'})
    const {port} = new URL(dualStack.url)
    server = {...dualStack, url: `http://127.0.0.1:${port}`}
    ipv6Url = `http://[::1]:${port}`
    admin = await loggedInCli(server, 'grace@example.com', [
      {slug: 'ops', role: 'superuser'},
      {slug: 'dev', role: 'superuser'},
    ])
    member = await loggedInCli(server, 'linus@example.com')
    const added = await server.admin(['member', 'add', '--org', 'ops', '--email', 'linus@example.com', '--role', 'read-write'])
    expect(added.exitCode, added.stderr).to.equal(0)
  })
  after(async () => {
    await admin?.cleanup()
    await member?.cleanup()
    await server?.stop()
    await storage?.drop()
  })

  const open = ['--max-lifetime', 'none', '--allowed-scopes', 'RW,RO', '--no-require-org-restriction']
  afterEach(async () => {
    for (const slug of ['ops', 'dev']) expect((await admin.ndcli(['org', 'policy', 'set', slug, ...open])).exitCode).to.equal(0)
  })
  const createJson = (cli: Cli, ...args: string[]) => cli.ndcli(['auth', 'token', 'create', '--scope', 'rw', ...args, '-f', 'json'])

  describe('org policy show|set', () => {
    it('a superuser sets it, a member reads it, in each format', async () => {
      const set = await admin.ndcli(['org', 'policy', 'set', 'ops', '--max-lifetime', '90d', '--allowed-scopes', 'ro', '--require-org-restriction'])
      expect(set.exitCode, set.stderr).to.equal(0)
      expect(set.stderr).to.equal('✓ Token policy of "ops" updated\n')
      expect(set.stdout).to.equal(
        ['Org: ops', 'Max lifetime: 90 days', 'Allowed scopes: RO', 'Require org restriction: yes', ''].join('\n'),
      )
      const shown = await member.ndcli(['org', 'policy', 'show', 'ops', '-f', 'json'])
      expect(shown.exitCode, shown.stderr).to.equal(0)
      expect(JSON.parse(shown.stdout)).to.deep.equal({org: 'ops', max_lifetime: '90d', allowed_scopes: ['RO'], require_org_restriction: true})
      expect((await member.ndcli(['org', 'policy', 'show', 'ops', '-f', 'simple'])).stdout).to.include('Max lifetime: 90 days\n')
    })

    it('takes both scopes as a list in any case and order, or as the flag given twice, each once', async () => {
      for (const args of [['--allowed-scopes', 'ro, rw'], ['--allowed-scopes', 'RO', '--allowed-scopes', 'rw,RO']]) {
        const set = await admin.ndcli(['org', 'policy', 'set', 'ops', ...args, '-f', 'json'])
        expect(set.exitCode, set.stderr).to.equal(0)
        expect(JSON.parse(set.stdout).allowed_scopes).to.have.members(['RW', 'RO']).and.to.have.length(2)
      }
    })

    it('a member who is not a superuser is refused with exit 4', async () => {
      const refused = await member.ndcli(['org', 'policy', 'set', 'ops', '--max-lifetime', '30d'])
      expect(refused.exitCode).to.equal(4)
      expect(refused.stderr).to.equal('Error: Only superusers of "ops" can change its token policy: ask one of them.\n')
    })

    for (const [label, args, message] of [
      ['an unknown lifetime', ['--max-lifetime', '7d'], /Expected --max-lifetime=7d to be one of: 30d, 60d, 90d, 180d, 365d, none/],
      ['an unknown scope', ['--allowed-scopes', 'RW,admin'], /Expected --allowed-scopes=admin to be RW, RO or both \(RW,RO\)/],
      ['an empty list of scopes', ['--allowed-scopes', ''], /Expected --allowed-scopes= to be RW, RO or both \(RW,RO\)/],
      ['an unknown setting', ['--max-age', '30d'], /Nonexistent flag: --max-age/],
      ['no setting at all', [], /Nothing to change: give --max-lifetime, --allowed-scopes or --\[no-\]require-org-restriction/],
    ] as const) {
      it(`refuses ${label} with exit 2 naming the allowed form`, async () => {
        const result = await admin.ndcli(['org', 'policy', 'set', 'ops', ...args])
        expect(result.exitCode, result.stderr).to.equal(2)
        expect(result.stderr).to.match(message)
      })
    }
  })

  describe('auth token create against each rule', () => {
    it('max lifetime: within it is created; longer is refused (exit 4) naming the org, the rule and the allowed values', async () => {
      await admin.ndcli(['org', 'policy', 'set', 'ops', '--max-lifetime', '90d'])
      expect((await createJson(admin, '--name', 'ops-90', '--org', 'ops', '--expiry', '90d')).exitCode).to.equal(0)
      const refused = await admin.ndcli(['auth', 'token', 'create', '--name', 'ops-180', '--scope', 'rw', '--org', 'ops', '--expiry', '180d'])
      expect(refused.exitCode).to.equal(4)
      expect(refused.stderr).to.equal('Error: ops allows tokens that expire within 90 days: use --expiry 30d, 60d or 90d.\n')
    })

    it('allowed scopes: RO is created, RW refused', async () => {
      await admin.ndcli(['org', 'policy', 'set', 'ops', '--allowed-scopes', 'RO'])
      expect((await admin.ndcli(['auth', 'token', 'create', '--name', 'ops-ro', '--scope', 'ro', '--org', 'ops', '--quiet'])).exitCode).to.equal(0)
      const refused = await createJson(admin, '--name', 'ops-rw', '--org', 'ops')
      expect(refused.exitCode).to.equal(4)
      expect(JSON.parse(refused.stdout)).to.deep.equal({error: {code: 'policy_violation', message: 'ops allows tokens with scope RO only: use --scope RO.'}})
    })

    it('require org restriction: an unrestricted token is created with a warning, cannot reach the org, and list/show say why', async () => {
      await admin.ndcli(['org', 'policy', 'set', 'ops', '--require-org-restriction'])
      const created = await admin.ndcli(['auth', 'token', 'create', '--name', 'anywhere', '--scope', 'rw'])
      expect(created.exitCode, created.stderr).to.equal(0)
      expect(created.stderr).to.include('This token cannot reach ops: ops requires tokens restricted to it: use --org ops')
      const secret = /^Token: (ndpat_\S+)$/m.exec(created.stdout)![1]!

      const refused = await admin.ndcli(['org', 'show', 'ops'], {token: secret})
      expect(refused.exitCode).to.equal(4)
      expect(refused.stderr).to.equal('Error: ops requires tokens restricted to it: use --org ops.\n')
      expect((await admin.ndcli(['org', 'show', 'dev'], {token: secret})).exitCode).to.equal(0)

      // org list still lists ops, and says why this token cannot reach it.
      const listed = await admin.ndcli(['org', 'list', '-f', 'simple'], {token: secret})
      expect(listed.exitCode, listed.stderr).to.equal(0)
      expect(listed.stdout.split('\n').map((line) => line.split('\t')[0])).to.deep.equal(['dev', 'ops', ''])
      expect(listed.stderr).to.equal('Warning: This token cannot reach ops: ops requires tokens restricted to it: use --org ops.\n')
      const listedJson = JSON.parse((await admin.ndcli(['org', 'list', '-f', 'json'], {token: secret})).stdout) as Array<{slug: string; unreachable_reason: string | null}>
      expect(listedJson.map(({slug, unreachable_reason: reason}) => [slug, reason])).to.deep.equal([
        ['dev', null],
        ['ops', 'ops requires tokens restricted to it: use --org ops.'],
      ])
      const underSession = await admin.ndcli(['org', 'list'])
      expect(underSession.stderr).to.equal('')

      const detailed = await admin.ndcli(['auth', 'token', 'list', '-f', 'detailed'])
      expect(detailed.stdout).to.match(/Cannot reach: +ops \(ops requires tokens restricted to it: use --org ops\.\)/)
      const shown = await admin.ndcli(['auth', 'token', 'show', 'anywhere'])
      expect(shown.stdout).to.match(/Cannot reach: +ops \(ops requires tokens restricted to it: use --org ops\.\)/)
      const restricted = await createJson(admin, '--name', 'ops-restricted', '--org', 'ops')
      expect(restricted.exitCode, restricted.stderr).to.equal(0)
      expect(JSON.parse(restricted.stdout).policy_check).to.deep.include({allowed: true})
    })
  })

  describe('auth token rotate under a policy changed since creation', () => {
    it('is refused (exit 4) with the commands of a replacement, which run and make a token the policy allows', async () => {
      const made = await admin.ndcli(['auth', 'token', 'create', '--name', 'ci-old', '--scope', 'rw', '--org', 'ops', '--expiry', '365d', '--allow-ip', '127.0.0.0/8', '--quiet'])
      expect(made.exitCode, made.stderr).to.equal(0)
      await admin.ndcli(['org', 'policy', 'set', 'ops', '--max-lifetime', '90d', '--allowed-scopes', 'RO'])

      const refused = await admin.ndcli(['auth', 'token', 'rotate', 'ci-old', '--yes'])
      expect(refused.exitCode).to.equal(4)
      const fix = 'ndcli auth token revoke ci-old --yes && ndcli auth token create --name ci-old --scope RO --org ops --expiry 90d --allow-ip 127.0.0.0/8'
      expect(refused.stderr).to.equal(
        `Error: ops allows tokens that expire within 90 days; ops allows tokens with scope RO only, and a rotation keeps the token's lifetime (365 days) and scope (RW): replace it with '${fix}'.\n`,
      )

      for (const command of fix.split(' && ')) {
        const step = await admin.ndcli(command.split(' ').slice(1))
        expect(step.exitCode, `${command}: ${step.stderr}`).to.equal(0)
      }
      const replaced = JSON.parse((await admin.ndcli(['auth', 'token', 'show', 'ci-old', '-f', 'json'])).stdout) as Listed & {scope: string}
      expect(replaced).to.deep.include({scope: 'RO', allow_ips: ['127.0.0.0/8'], unreachable_orgs: []})
    })
  })

  describe('shown before creating', () => {
    it('--dry-run prints the policies and the rules broken, creates nothing, exits 4 when refused and 0 when allowed', async () => {
      await admin.ndcli(['org', 'policy', 'set', 'dev', '--max-lifetime', '30d'])
      const refused = await admin.ndcli(['auth', 'token', 'create', '--name', 'dry', '--scope', 'rw', '--expiry', '90d', '--dry-run'])
      expect(refused.exitCode).to.equal(4)
      expect(refused.stdout).to.equal('')
      expect(refused.stderr).to.equal(
        [
          'Token policies that apply:',
          '  ✗ dev: tokens expire within 30 days, scope RW or RO — dev allows tokens that expire within 30 days: use --expiry 30d',
          '  ✓ ops: any lifetime, scope RW or RO',
          'Dry run: the token would break the policies marked ✗; nothing was created.',
          '',
        ].join('\n'),
      )
      const allowed = await admin.ndcli(['auth', 'token', 'create', '--name', 'dry', '--scope', 'rw', '--expiry', '30d', '--dry-run', '-f', 'json'])
      expect(allowed.exitCode, allowed.stderr).to.equal(0)
      expect(JSON.parse(allowed.stdout)).to.have.property('allowed', true)
      expect(allowed.stderr).to.equal('')
      const listed = JSON.parse((await admin.ndcli(['auth', 'token', 'list', '-f', 'json'])).stdout) as Listed[]
      expect(listed.map((token) => token.name)).not.to.include('dry')
    })

    it('in a terminal, create prints the policies of the requested org before making the token', async () => {
      await admin.ndcli(['org', 'policy', 'set', 'ops', '--allowed-scopes', 'RO'])
      const refused = await runInPty(['auth', 'token', 'create', '--name', 'tty-rw', '--scope', 'rw', '--org', 'ops'], admin.env).exited
      expect(refused.exitCode, refused.output).to.equal(4)
      expect(refused.output).to.include('Token policies that apply:')
      expect(refused.output).to.include('✗ ops: any lifetime, scope RO only — ops allows tokens with scope RO only: use --scope RO')
      // Without --org: the policies of all the user's orgs, the broken one marked.
      const everywhere = await runInPty(['auth', 'token', 'create', '--name', 'tty-any', '--scope', 'rw'], admin.env).exited
      expect(everywhere.exitCode, everywhere.output).to.equal(0)
      expect(everywhere.output).to.include('✓ dev: any lifetime, scope RW or RO')
      expect(everywhere.output.indexOf('✗ ops: any lifetime, scope RO only')).to.be.greaterThan(-1).and.lessThan(everywhere.output.indexOf('Personal access token created'))
      const made = await runInPty(['auth', 'token', 'create', '--name', 'tty-ro', '--scope', 'ro', '--org', 'ops'], admin.env).exited
      expect(made.exitCode, made.output).to.equal(0)
      expect(made.output.indexOf('✓ ops: any lifetime, scope RO only')).to.be.greaterThan(-1).and.lessThan(made.output.indexOf('Personal access token created'))
    })
  })

  describe('--allow-ip', () => {
    it('is shown and kept by rotate; the server refuses other addresses with exit 4 naming the address, and serves allowed ones', async () => {
      const elsewhere = await createJson(admin, '--name', 'only-2', '--allow-ip', '127.0.0.2', '--allow-ip', '2001:db8::/48')
      expect(elsewhere.exitCode, elsewhere.stderr).to.equal(0)
      const created = JSON.parse(elsewhere.stdout) as {token: string; allow_ips: string[]}
      expect(created.allow_ips).to.deep.equal(['127.0.0.2/32', '2001:db8::/48'])
      const refused = await admin.ndcli(['auth', 'token', 'list'], {token: created.token})
      expect(refused.exitCode).to.equal(4)
      expect(refused.stderr).to.match(/^Error: This token is not allowed from 127\.0\.0\.1: /)
      expect(refused.stderr).not.to.include('127.0.0.2').and.not.to.include('2001:db8')

      const local = JSON.parse((await createJson(admin, '--name', 'loopback', '--allow-ip', '127.0.0.1/8')).stdout) as {token: string}
      expect((await admin.ndcli(['auth', 'token', 'list', '-f', 'json'], {token: local.token})).exitCode).to.equal(0)

      const shown = await admin.ndcli(['auth', 'token', 'show', 'only-2'])
      expect(shown.stdout).to.match(/Allowed IPs: +127\.0\.0\.2\/32, 2001:db8::\/48/)
      expect((await admin.ndcli(['auth', 'token', 'list', '-f', 'detailed'])).stdout).to.match(/Allowed IPs: +127\.0\.0\.1\/8/)
      const rotated = await admin.ndcli(['auth', 'token', 'rotate', 'loopback', '--yes', '-f', 'json'])
      expect(JSON.parse(rotated.stdout).allow_ips).to.deep.equal(['127.0.0.1/8'])
    })

    it('from two source addresses: a token allowed for ::1 works from ::1 and is refused from 127.0.0.1, and the other way round', async () => {
      const fromAddress = (url: string, token: string) => runBinary(BIN, ['auth', 'token', 'list', '-f', 'json'], {env: {...admin.env, NDCLI_API_URL: url, NDCLI_TOKEN: token}})
      const v6 = (JSON.parse((await createJson(admin, '--name', 'only-v6', '--allow-ip', '::1')).stdout) as {token: string}).token
      const v4 = (JSON.parse((await createJson(admin, '--name', 'only-v4', '--allow-ip', '127.0.0.1')).stdout) as {token: string}).token
      for (const [url, token, refusedFrom] of [
        [ipv6Url, v6, null],
        [server.url, v6, '127.0.0.1'],
        [server.url, v4, null],
        [ipv6Url, v4, '::1'],
      ] as const) {
        const result = await fromAddress(url, token)
        if (refusedFrom === null) {
          expect(result.exitCode, `${url}: ${result.stderr}`).to.equal(0)
        } else {
          expect(result.exitCode, `${url}: ${result.stderr}`).to.equal(4)
          expect(JSON.parse(result.stdout).error.code).to.equal('ip_not_allowed')
          expect(result.stderr).to.match(new RegExp(`^Error: This token is not allowed from ${refusedFrom.replaceAll('.', '\\.')}: `))
        }
      }
    })

    for (const [label, values, message] of [
      ['a malformed address', ['10.0.0.300'], /^Error: --allow-ip "10\.0\.0\.300" is not an address or CIDR block: use an IPv4 or IPv6 address or CIDR block/],
      ['a /0', ['0.0.0.0/0'], /^Error: --allow-ip "0\.0\.0\.0\/0" allows every address/],
      ['17 entries', Array.from({length: 17}, (_, i) => `10.0.0.${i}`), /^Error: --allow-ip takes at most 16 entries \(got 17\)/],
    ] as const) {
      it(`refuses ${label} with exit 2 before any request`, async () => {
        const {result, requests} = await withRequests(server, () =>
          admin.ndcli(['auth', 'token', 'create', '--name', 'bad', '--scope', 'ro', ...values.flatMap((value) => ['--allow-ip', value])]),
        )
        expect(requests).to.deep.equal([])
        expect(result.exitCode).to.equal(2)
        expect(result.stderr).to.match(message)
        expect(result.stderr.trimEnd().split('\n')).to.have.length(1)
      })
    }
  })
})
