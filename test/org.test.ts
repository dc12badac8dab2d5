/**
 * `org list|show|update` end to end: the built shell against the real control
 * plane, with a session from the device flow and with personal access tokens.
 */
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {expect} from 'chai'
import {CredentialStore, sessionFrom} from '@ndcli/core'
import {isolatedDirs, runBinary} from '@ndcli/core/testing'
import {deviceFlowSession, seedAccount, startServerProcess, type ServerProcess} from '@ndcli/server/testing'

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js')
const EMAIL = 'olivia@example.com'
const PASSWORD = 'correct horse battery staple'

describe('org (end to end)', () => {
  let server: ServerProcess
  let env: Record<string, string>
  let cleanup: () => Promise<void>
  const ndcli = (args: string[], token?: string) => runBinary(BIN, args, {env: {...env, NDCLI_TOKEN: token}})
  const createToken = async (args: string[]) => {
    const result = await ndcli(['auth', 'token', 'create', ...args, '-f', 'json'])
    expect(result.exitCode, result.stderr).to.equal(0)
    return (JSON.parse(result.stdout) as {token: string}).token
  }

  before(async () => {
    server = await startServerProcess()
    await seedAccount(server, {
      email: EMAIL,
      password: PASSWORD,
      orgs: [
        {slug: 'ops', role: 'superuser'},
        {slug: 'lab', role: 'read-only'},
      ],
    })
    const dirs = await isolatedDirs()
    cleanup = dirs.cleanup
    env = {...dirs.env, NDCLI_API_URL: server.url}
    const tokens = await deviceFlowSession(server.url, {email: EMAIL, password: PASSWORD})
    await new CredentialStore(dirs.env.NDCLI_DATA_DIR!).save(server.url, sessionFrom({...tokens, token_type: 'Bearer'}, EMAIL, new Date()))
  })

  after(async () => {
    await cleanup?.()
    await server?.stop()
  })

  it('lists the organizations with the caller’s role', async () => {
    const result = await ndcli(['org', 'list'])
    expect(result).to.deep.equal({
      exitCode: 0,
      stderr: '',
      stdout: [
        '╭──────┬──────┬───────────┬─────────────╮',
        '│ SLUG │ NAME │ ROLE      │ DESCRIPTION │',
        '├──────┼──────┼───────────┼─────────────┤',
        '│ lab  │ lab  │ read-only │ -           │',
        '│ ops  │ ops  │ superuser │ -           │',
        '╰──────┴──────┴───────────┴─────────────╯',
        'Total: 2 organization(s)',
        '',
      ].join('\n'),
    })
  })

  it('updates a description, reports it on stderr and prints the organization', async () => {
    const result = await ndcli(['org', 'update', 'ops', '--description', 'Operations & on-call'])
    expect(result).to.deep.equal({
      exitCode: 0,
      stderr: '✓ Organization "ops" updated\n',
      stdout: 'Slug: ops\nName: ops\nRole: superuser\nDescription: Operations & on-call\n',
    })
  })

  const shows: Array<{format: string; check: (stdout: string) => void}> = [
    {format: 'simple', check: (stdout) => expect(stdout).to.equal('Slug: ops\nName: ops\nRole: superuser\nDescription: Operations & on-call\n')},
    {format: 'detailed', check: (stdout) => expect(stdout).to.match(/^Slug: {8}ops\n(.*\n){3}Created: {5}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d\n$/)},
    {
      format: 'json',
      check: (stdout) => expect(JSON.parse(stdout)).to.deep.include({slug: 'ops', name: 'ops', role: 'superuser', description: 'Operations & on-call'}),
    },
  ]
  for (const {format, check} of shows) {
    it(`shows one organization with -f ${format}`, async () => {
      const result = await ndcli(['org', 'show', 'ops', '-f', format])
      expect(result.exitCode, result.stderr).to.equal(0)
      check(result.stdout)
    })
  }

  it('clears a description with an empty --description', async () => {
    const result = await ndcli(['org', 'update', 'ops', '--description', '', '-f', 'json'])
    expect(result.exitCode, result.stderr).to.equal(0)
    expect(JSON.parse(result.stdout)).to.deep.include({slug: 'ops', description: null})
  })

  describe('what a credential may do', () => {
    const tokens: Record<string, string> = {}
    before(async () => {
      tokens.rw = await createToken(['--name', 'org-rw', '--scope', 'rw'])
      tokens.ro = await createToken(['--name', 'org-ro', '--scope', 'ro'])
      tokens.opsOnly = await createToken(['--name', 'org-ops-only', '--scope', 'rw', '--org', 'ops'])
    })

    const cases: Array<{title: string; token?: string; argv: string[]; exitCode: number; stdout?: RegExp; stderr?: RegExp}> = [
      {title: 'the session reads an unknown slug → 5', argv: ['org', 'show', 'nope'], exitCode: 5, stderr: /^Error: .*"nope"/},
      {title: 'a read-only member cannot update → 4', argv: ['org', 'update', 'lab', '--description', 'x'], exitCode: 4},
      {title: 'an RW token updates ops', token: 'rw', argv: ['org', 'update', 'ops', '--description', 'by rw'], exitCode: 0},
      {title: 'an RO token reads ops', token: 'ro', argv: ['org', 'show', 'ops', '-f', 'simple'], exitCode: 0, stdout: /^Slug: ops$/m},
      {title: 'an RO token cannot update ops → 4', token: 'ro', argv: ['org', 'update', 'ops', '--description', 'x'], exitCode: 4, stderr: /read-only/},
      {title: 'an ops-only token lists only ops', token: 'opsOnly', argv: ['org', 'list', '-f', 'simple'], exitCode: 0, stdout: /^ops\tops\tsuperuser\t[^\n]*\n$/},
      {title: 'an ops-only token cannot read lab → 4', token: 'opsOnly', argv: ['org', 'show', 'lab'], exitCode: 4, stderr: /"lab"/},
    ]
    for (const {title, token, argv, exitCode, stdout, stderr} of cases) {
      it(title, async () => {
        const result = await ndcli(argv, token && tokens[token])
        expect(result.exitCode, result.stderr).to.equal(exitCode)
        if (stdout) expect(result.stdout).to.match(stdout)
        if (stderr) expect(result.stderr).to.match(stderr)
      })
    }
  })
})
