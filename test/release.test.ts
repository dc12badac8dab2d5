/**
 * Plays a CI job: a fresh HOME and install prefix, the npm registry pointed at
 * an address where nothing answers, the release tarball extracted (and also
 * installed with `npm install -g`), then `NDCLI_TOKEN=… ndcli auth token list -f json`.
 */
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {generatePat} from '@ndcli/core/pat'
import {deviceFlowSession, seedAccount, startServerProcess, type ServerProcess} from '@ndcli/server/testing'

const run = promisify(execFile)
const ROOT = new URL('..', import.meta.url).pathname

interface Outcome {
  stdout: string
  stderr: string
  exitCode: number
}

async function exec(file: string, args: string[], env: Record<string, string>): Promise<Outcome> {
  try {
    const {stdout, stderr} = await run(file, args, {env, timeout: 120_000})
    return {stdout, stderr, exitCode: 0}
  } catch (error) {
    const failed = error as {stdout?: string; stderr?: string; code?: number}
    return {stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', exitCode: typeof failed.code === 'number' ? failed.code : 1}
  }
}

describe('release tarball in a CI job (no registry)', function () {
  this.timeout(300_000)
  let server: ServerProcess
  let tarball: string
  let job: string
  let pat: string
  let jobEnv: Record<string, string>

  before(async () => {
    const {stdout} = await run(process.execPath, ['scripts/pack-release.js'], {cwd: ROOT, timeout: 240_000})
    tarball = stdout.trim().split('\n').pop()!
    expect(tarball).to.match(/ndcli-\d+\.\d+\.\d+-[a-z0-9]+-[a-z0-9]+\.tar\.gz$/)

    server = await startServerProcess()
    await seedAccount(server, {email: 'ci@example.com', password: 'correct horse battery', orgs: [{slug: 'ops', role: 'superuser'}]})
    const session = await deviceFlowSession(server.url, {email: 'ci@example.com', password: 'correct horse battery'})
    const created = await fetch(`${server.url}/api/v1/auth/tokens`, {
      method: 'POST',
      headers: {authorization: `Bearer ${session.access_token}`, 'content-type': 'application/json'},
      body: JSON.stringify({name: 'github-ci', scope: 'RW'}),
    })
    pat = ((await created.json()) as {token: string}).token

    job = await mkdtemp(join(tmpdir(), 'ndcli-ci-job-'))
    // Only what a runner image has: PATH to node, a fresh HOME, and no way to reach a registry.
    jobEnv = {
      PATH: process.env.PATH!,
      HOME: join(job, 'home'),
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_cache: join(job, 'npm-cache'),
      npm_config_fetch_retries: '0',
      NDCLI_API_URL: server.url,
      NO_COLOR: '1',
    }
  })

  after(async () => {
    await server?.stop()
    if (job) await rm(job, {recursive: true, force: true})
  })

  const ciJob = (ndcli: () => string) => {
    it('lists tokens as JSON with NDCLI_TOKEN, exit 0', async () => {
      const result = await exec(ndcli(), ['auth', 'token', 'list', '-f', 'json'], {...jobEnv, NDCLI_TOKEN: pat})
      expect(result.exitCode, result.stderr).to.equal(0)
      const tokens = JSON.parse(result.stdout) as Array<{name: string; scope: string; token_prefix: string}>
      expect(tokens.map((t) => [t.name, t.scope])).to.deep.equal([['github-ci', 'RW']])
      expect(pat.startsWith(tokens[0]!.token_prefix)).to.equal(true)
      expect(result.stdout).not.to.include(pat)
    })

    it('fails with exit 3 for a well-formed token the server does not know', async () => {
      const result = await exec(ndcli(), ['auth', 'token', 'list', '-f', 'json'], {...jobEnv, NDCLI_TOKEN: generatePat()})
      expect(result.exitCode).to.equal(3)
      expect((JSON.parse(result.stdout) as {error: {code: string}}).error.code).to.equal('invalid_token')
    })
  }

  describe('extracted and run as ndcli/bin/ndcli', () => {
    before(async () => {
      await run('mkdir', ['-p', join(job, 'extract')])
      await run('tar', ['-xzf', tarball, '-C', join(job, 'extract')])
    })
    ciJob(() => join(job, 'extract', 'ndcli', 'bin', 'ndcli'))
  })

  describe('installed with npm install -g', () => {
    before(async () => {
      const install = await exec('npm', ['install', '-g', '--prefix', join(job, 'prefix'), '--no-audit', '--no-fund', tarball], jobEnv)
      expect(install.exitCode, install.stderr).to.equal(0)
    })
    ciJob(() => join(job, 'prefix', 'bin', 'ndcli'))
  })
})
