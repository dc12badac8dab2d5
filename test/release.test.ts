/**
 * Plays a CI job: a fresh HOME and install prefix, the npm registry pointed at
 * an address where nothing answers, the release tarball extracted and run with
 * no Node on PATH (it carries its own), and also installed with `npm install -g`
 * (then the Node on PATH runs it); then `NDCLI_TOKEN=… ndcli auth token list -f json`.
 */
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {generatePat} from '@ndcli/core/pat'
import {deviceFlowSession, seedAccount, startServerProcess, type ServerProcess} from '@ndcli/server/testing'

const run = promisify(execFile)
const ROOT = new URL('..', import.meta.url).pathname
const PINNED_NODE = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {devDependencies: {node: string}}).devDependencies.node

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

  describe('extracted and run as ndcli/bin/ndcli, with no Node on PATH', () => {
    const ndcli = () => join(job, 'extract', 'ndcli', 'bin', 'ndcli')
    let noNode: Record<string, string>
    before(async () => {
      await mkdir(join(job, 'extract'))
      await run('tar', ['-xzf', tarball, '-C', join(job, 'extract')])
      // PATH names only an empty folder: neither node nor npm can be found there.
      await mkdir(join(job, 'empty-path'))
      noNode = {...jobEnv, PATH: join(job, 'empty-path')}
    })

    it('--version names the bundled Node', async () => {
      const result = await exec(ndcli(), ['--version'], noNode)
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stdout).to.match(new RegExp(`^ndcli/\\d+\\.\\d+\\.\\d+ linux-x64 node-v${PINNED_NODE.replaceAll('.', '\\.')}\n$`))
    })

    it('runs through a symlink on PATH, as when linked into /usr/local/bin', async () => {
      // PATH holds the link and readlink (the script resolves links with it), and still no node.
      const bin = join(job, 'linked-bin')
      await mkdir(bin)
      await symlink(ndcli(), join(bin, 'ndcli'))
      await symlink('/usr/bin/readlink', join(bin, 'readlink'))
      const result = await exec(join(bin, 'ndcli'), ['--version'], {...noNode, PATH: bin})
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(result.stdout).to.include(`node-v${PINNED_NODE}`)
    })

    it('lists tokens as JSON with NDCLI_TOKEN, exit 0', async () => {
      const result = await exec(ndcli(), ['auth', 'token', 'list', '-f', 'json'], {...noNode, NDCLI_TOKEN: pat})
      expect(result.exitCode, result.stderr).to.equal(0)
      expect((JSON.parse(result.stdout) as Array<{name: string}>).map((t) => t.name)).to.deep.equal(['github-ci'])
    })

    it('installs a plugin from a tarball with its bundled Node and the npm that plugin-plugins carries', async () => {
      // A later release of the token plugin, packed by npm (its dependencies bundled), version raised.
      const packs = join(job, 'packs')
      await mkdir(packs)
      const {stdout} = await run('npm', ['pack', '--silent', '--pack-destination', packs], {cwd: join(ROOT, 'packages', 'plugin-auth-token')})
      await run('tar', ['-xzf', join(packs, stdout.trim().split('\n').pop()!), '-C', packs])
      for (const file of ['package.json', 'oclif.manifest.json']) {
        const path = join(packs, 'package', file)
        await writeFile(path, JSON.stringify({...JSON.parse(await readFile(path, 'utf8')), version: '0.1.1'}))
      }
      await run('tar', ['-czf', join(packs, 'upgrade.tgz'), '-C', packs, 'package'])

      const dataDir = {NDCLI_DATA_DIR: join(job, 'plugin-data')}
      const install = await exec(ndcli(), ['plugins', 'install', `file:${join(packs, 'upgrade.tgz')}`], {...noNode, ...dataDir})
      expect(install.exitCode, install.stderr).to.equal(0)
      const listed = await exec(ndcli(), ['plugins'], {...noNode, ...dataDir})
      expect(listed.stdout).to.equal('@ndcli/plugin-auth-token 0.1.1\n')
      const result = await exec(ndcli(), ['auth', 'token', 'list', '-f', 'json'], {...noNode, ...dataDir, NDCLI_TOKEN: pat})
      expect(result.exitCode, result.stderr).to.equal(0)
      expect((JSON.parse(result.stdout) as Array<{name: string}>).map((t) => t.name)).to.deep.equal(['github-ci'])
      const uninstall = await exec(ndcli(), ['plugins', 'uninstall', '@ndcli/plugin-auth-token'], {...noNode, ...dataDir})
      expect(uninstall.exitCode, uninstall.stderr).to.equal(0)
    })
  })

  describe('installed with npm install -g', () => {
    before(async () => {
      const install = await exec('npm', ['install', '-g', '--prefix', join(job, 'prefix'), '--no-audit', '--no-fund', tarball], jobEnv)
      expect(install.exitCode, install.stderr).to.equal(0)
    })
    ciJob(() => join(job, 'prefix', 'bin', 'ndcli'))
  })
})
