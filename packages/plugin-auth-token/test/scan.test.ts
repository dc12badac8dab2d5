/**
 * `auth token scan`, end to end: the built shell binary on real files, real git repositories
 * and standard input, and `--revoke` against the real control plane with no session at all.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import Ajv04 from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import {expect} from 'chai'
import {generatePat} from '@ndcli/core/pat'
import {isolatedDirs, runBinary, type CommandOutput} from '@ndcli/core/testing'
import {startServerProcess, type ServerProcess} from '@ndcli/server/testing'

import {HOST_BIN, loggedInCli, withRequests, type Cli} from './harness.js'

const FOUND = 8
/** A token whose last character is changed: the right shape, a bad checksum. */
const lookalikeOf = (token: string) => token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
const CHUNK = 4 * 1024 * 1024

describe('auth token scan (end to end)', () => {
  let root: string
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  /** The scan with no session and no NDCLI_TOKEN, in `cwd`. */
  const scan = (args: string[], options: {cwd?: string; input?: string; env?: Record<string, string>} = {}) =>
    runBinary(HOST_BIN, ['auth', 'token', 'scan', ...args], {env: {...dirs.env, ...options.env}, cwd: options.cwd ?? root, input: options.input})
  const fresh = (name: string) => {
    const dir = join(root, name)
    mkdirSync(dir, {recursive: true})
    return dir
  }
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {cwd, encoding: 'utf8'})
  const gitRepo = (name: string) => {
    const dir = fresh(name)
    git(dir, 'init', '-q', '-b', 'main')
    return dir
  }
  /** Exactly these `path:line:column<TAB>prefix` lines (-f simple) and exit 8; no whole token anywhere. */
  const expectFindings = (result: CommandOutput, lines: string[], secrets: string[]) => {
    expect(result.exitCode, result.stderr).to.equal(FOUND)
    expect(result.stdout).to.equal(lines.map((line) => line + '\n').join(''))
    for (const secret of secrets) expect(result.stdout + result.stderr).not.to.include(secret)
  }
  const prefix = (token: string) => token.slice(0, 12)

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ndcli-scan-'))
    dirs = await isolatedDirs()
  })

  after(async () => {
    rmSync(root, {recursive: true, force: true})
    await dirs.cleanup()
  })

  describe('files', () => {
    it('reports each token with a valid checksum as path:line:column and its prefix, exit 8; a lookalike is ignored', async () => {
      const dir = fresh('files')
      const [a, b] = [generatePat(), generatePat()]
      writeFileSync(join(dir, 'config.env'), `# settings\nAPI=1\nNDCLI_TOKEN=${a}\n`)
      mkdirSync(join(dir, 'sub'))
      writeFileSync(join(dir, 'sub', 'notes.md'), `café ${b} and ${lookalikeOf(b)}\n`)
      const result = await scan(['-f', 'simple'], {cwd: dir})
      expectFindings(result, [`config.env:3:13\t${prefix(a)}`, `sub/notes.md:1:6\t${prefix(b)}`], [a, b])
      expect(result.stderr).to.equal('')
    })

    it('names a file as the path given plus its place under it, normalized: `./`, `sub/`, `./sub//deep/` and an absolute path', async () => {
      const dir = fresh('spellings')
      const [top, deep] = [generatePat(), generatePat()]
      mkdirSync(join(dir, 'sub', 'deep'), {recursive: true})
      writeFileSync(join(dir, 'top.txt'), top)
      writeFileSync(join(dir, 'sub', 'deep', 'd.txt'), deep)
      const found = async (path: string) => (await scan([path, '-f', 'simple'], {cwd: dir})).stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0])
      expect(await found('./')).to.deep.equal(['sub/deep/d.txt:1:1', 'top.txt:1:1'])
      expect(await found('sub/')).to.deep.equal(['sub/deep/d.txt:1:1'])
      expect(await found('./sub//deep/')).to.deep.equal(['sub/deep/d.txt:1:1'])
      expect(await found(`${dir}/`)).to.deep.equal([`${dir}/sub/deep/d.txt:1:1`, `${dir}/top.txt:1:1`])
    })

    it('--verbose counts the lookalikes on stderr', async () => {
      const dir = fresh('lookalikes')
      const token = generatePat()
      writeFileSync(join(dir, 'a.txt'), `${lookalikeOf(token)}\n${lookalikeOf(generatePat())}\n`)
      const result = await scan(['--verbose'], {cwd: dir})
      expect(result.exitCode, result.stderr).to.equal(0)
      // The README's stream rule: no data, so nothing on stdout; the status lines go to stderr.
      expect(result.stdout).to.equal('')
      const lines = result.stderr.split('\n')
      expect(lines).to.include('No ndcli tokens found')
      expect(lines.filter((line) => /^Scanned 1 file\(s\), .*; 2 lookalike\(s\) with a bad checksum ignored\.$/.test(line))).to.have.length(1)
      expect(lines.filter(Boolean)).to.have.length(2)
    })

    it('exits 0 and says so when nothing is found', async () => {
      const dir = fresh('clean')
      writeFileSync(join(dir, 'a.txt'), 'ndpat_ is the prefix of our tokens\n')
      const result = await scan([dir, '-f', 'json'])
      expect(result.exitCode, result.stderr).to.equal(0)
      expect(JSON.parse(result.stdout)).to.deep.equal([])
    })

    it('json: path, line, column, prefix, commit and source per finding — never the token', async () => {
      const dir = fresh('json')
      const token = generatePat()
      writeFileSync(join(dir, 'a.txt'), token)
      const result = await scan(['a.txt', '-f', 'json'], {cwd: dir})
      expect(result.exitCode).to.equal(FOUND)
      expect(JSON.parse(result.stdout)).to.deep.equal([{path: 'a.txt', line: 1, column: 1, token_prefix: prefix(token), commit: null, source: 'file'}])
    })

    it('skips binary files (a NUL byte in the first 8 KiB)', async () => {
      const dir = fresh('binary')
      const token = generatePat()
      writeFileSync(join(dir, 'image.bin'), Buffer.concat([Buffer.from([0x89, 0x50, 0x00, 0x01]), Buffer.from(`\n${token}\n`)]))
      writeFileSync(join(dir, 'late-nul.txt'), Buffer.concat([Buffer.from(`${'x'.repeat(9000)}\n${token}\n`), Buffer.from([0])]))
      expectFindings(await scan(['-f', 'simple'], {cwd: dir}), [`late-nul.txt:2:1\t${prefix(token)}`], [token])
    })

    it('streams a file larger than a chunk: a token across the chunk boundary, and one after it, with their line numbers', async () => {
      const dir = fresh('large')
      const [across, after] = [generatePat(), generatePat()]
      const line = 'x'.repeat(99) + '\n'
      const lines = Math.floor((CHUNK - 20) / line.length)
      // The first token starts 20 bytes before the 4 MiB boundary.
      const head = line.repeat(lines) + 'y'.repeat(CHUNK - 20 - lines * line.length)
      const body = `${head}${across}\n${line.repeat(50_000)}  ${after}\n`
      writeFileSync(join(dir, 'big.log'), body)
      const result = await scan(['-f', 'simple'], {cwd: dir})
      expectFindings(result, [`big.log:${lines + 1}:${CHUNK - 20 - lines * line.length + 1}\t${prefix(across)}`, `big.log:${lines + 2 + 50_000}:3\t${prefix(after)}`], [across, after])
    })

    it('searches a large tree on several threads with the same findings, in the same order, as on one', async () => {
      const dir = fresh('parallel')
      // 48 MiB in 300 files: past the size at which workers are started (32 MiB).
      const filler = Buffer.from('2026-12-03T10:00:00.000Z INFO request served id=7f3a9c2e latency_ms=12\n'.repeat(2300))
      const tokens: string[] = []
      for (let i = 0; i < 300; i++) {
        const parts: Array<string | Buffer> = [filler]
        if (i % 37 === 5) {
          const token = generatePat()
          tokens.push(token)
          parts.push(`NDCLI_TOKEN=${token}\n`, filler.subarray(0, i * 97))
        }
        if (i % 53 === 7) parts.push(`example: ${lookalikeOf(generatePat())}\n`)
        if (i === 150) parts.unshift(Buffer.from([0]))
        writeFileSync(join(dir, `f${String(i).padStart(3, '0')}.log`), Buffer.concat(parts.map((part) => Buffer.from(part))))
      }
      const serial = await scan(['-f', 'json', '--verbose'], {cwd: dir, env: {NDCLI_SCAN_THREADS: '1'}})
      const parallel = await scan(['-f', 'json', '--verbose'], {cwd: dir, env: {NDCLI_SCAN_THREADS: '3'}})
      expect(serial.exitCode, serial.stderr).to.equal(FOUND)
      expect(parallel.exitCode, parallel.stderr).to.equal(FOUND)
      expect(serial.stderr).not.to.include('threads')
      expect(parallel.stderr).to.include('on 3 threads')
      // The same counts (files, bytes, lookalikes), the thread count aside.
      expect(parallel.stderr.replace(' on 3 threads', '')).to.equal(serial.stderr)
      const found = JSON.parse(parallel.stdout) as Array<{path: string; token_prefix: string}>
      expect(found.map((finding) => finding.token_prefix)).to.deep.equal(tokens.map((token) => prefix(token)))
      expect(parallel.stdout).to.equal(serial.stdout)
      for (const token of tokens) expect(parallel.stdout + parallel.stderr).not.to.include(token)
    })

    it('refuses an NDCLI_SCAN_THREADS that is no whole number with exit 2 naming the fix', async () => {
      const result = await scan(['-f', 'json'], {cwd: fresh('threads'), env: {NDCLI_SCAN_THREADS: 'many'}})
      expect(result.exitCode).to.equal(2)
      expect(result.stderr).to.include('NDCLI_SCAN_THREADS must be a whole number')
    })

    it('follows symlinks but no loop: a directory linking to itself and to its parent is scanned once', async () => {
      const dir = fresh('loops')
      const token = generatePat()
      mkdirSync(join(dir, 'a'))
      writeFileSync(join(dir, 'a', 'key.txt'), token)
      symlinkSync('.', join(dir, 'a', 'self'))
      symlinkSync('..', join(dir, 'a', 'up'))
      symlinkSync('missing', join(dir, 'dangling'))
      const result = await scan(['-f', 'simple'], {cwd: dir})
      expectFindings(result, [`a/key.txt:1:1\t${prefix(token)}`], [token])
      expect(result.stderr).to.equal('')
    })

    it('a missing path is exit 2 with a one-line error, before anything is scanned', async () => {
      const result = await scan(['.', 'no-such-dir'], {cwd: fresh('missing')})
      expect(result.exitCode).to.equal(2)
      expect(result.stdout).to.equal('')
      expect(result.stderr).to.equal('Error: No such file or directory: no-such-dir — check the path (default: the current directory; - reads standard input).\n')
    })

    it('reports an unreadable file and directory on stderr and goes on', function () {
      const dir = fresh('unreadable')
      const token = generatePat()
      writeFileSync(join(dir, 'readable.txt'), token)
      writeFileSync(join(dir, 'secret.txt'), generatePat())
      mkdirSync(join(dir, 'closed'))
      writeFileSync(join(dir, 'closed', 'inner.txt'), generatePat())
      chmodSync(join(dir, 'secret.txt'), 0o000)
      chmodSync(join(dir, 'closed'), 0o000)
      // Root reads anything, so as root the scan runs as nobody (setpriv); without setpriv the case cannot be made.
      const asRoot = process.getuid?.() === 0
      if (asRoot && spawnSync('setpriv', ['--version']).status !== 0) this.skip()
      for (const path of [root, dir, dirs.root]) chmodSync(path, 0o755)
      const config = mkdtempSync(join(tmpdir(), 'ndcli-scan-nobody-'))
      chmodSync(config, 0o777)
      const env: NodeJS.ProcessEnv = {...process.env, NDCLI_CONFIG_DIR: join(config, 'c'), NDCLI_DATA_DIR: join(config, 'd'), NDCLI_CACHE_DIR: join(config, 'k'), NO_COLOR: '1'}
      delete env.NDCLI_TOKEN
      const command = [process.execPath, HOST_BIN, 'auth', 'token', 'scan', '-f', 'simple']
      const [file, args] = asRoot ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', ...command]] : [command[0]!, command.slice(1)]
      const result = spawnSync(file, args, {cwd: dir, env, encoding: 'utf8'})
      rmSync(config, {recursive: true, force: true})
      chmodSync(join(dir, 'closed'), 0o755)
      expect(result.status, result.stderr).to.equal(FOUND)
      expect(result.stdout).to.equal(`readable.txt:1:1\t${prefix(token)}\n`)
      expect(result.stderr).to.include('Cannot read closed: permission denied; skipped.')
      expect(result.stderr).to.include('Cannot read secret.txt: permission denied; skipped.')
    })
  })

  describe('standard input', () => {
    it('- reads standard input (a CI log) and reports (stdin):line:column', async () => {
      const token = generatePat()
      const result = await scan(['-', '-f', 'simple'], {input: `step 1\nstep 2\n  export NDCLI_TOKEN=${token}\ndone\n`})
      expectFindings(result, [`(stdin):3:22\t${prefix(token)}`], [token])
    })
  })

  describe('git', () => {
    it('inside a work tree skips what .gitignore ignores; --no-ignore scans it too', async () => {
      const dir = gitRepo('ignored')
      const [tracked, ignored, untracked] = [generatePat(), generatePat(), generatePat()]
      writeFileSync(join(dir, '.gitignore'), '*.log\n')
      writeFileSync(join(dir, 'app.js'), `const token = '${tracked}'\n`)
      writeFileSync(join(dir, 'debug.log'), ignored)
      git(dir, 'add', '.gitignore', 'app.js')
      writeFileSync(join(dir, 'new.txt'), untracked)
      expectFindings(await scan(['-f', 'simple'], {cwd: dir}), [`app.js:1:16\t${prefix(tracked)}`, `new.txt:1:1\t${prefix(untracked)}`], [tracked, untracked])
      const all = await scan(['--no-ignore', '-f', 'simple'], {cwd: dir})
      expect(all.exitCode).to.equal(FOUND)
      expect(all.stdout.split('\n').filter((line) => !line.startsWith('.git/'))).to.deep.equal([
        `app.js:1:16\t${prefix(tracked)}`,
        `debug.log:1:1\t${prefix(ignored)}`,
        `new.txt:1:1\t${prefix(untracked)}`,
        '',
      ])
    })

    it('honours GIT_CEILING_DIRECTORIES as git does: below the ceiling no repository is found (and git is not run); in the ceiling itself it is', async () => {
      const dir = gitRepo('ceiling')
      const token = generatePat()
      writeFileSync(join(dir, '.gitignore'), '*.log\n')
      mkdirSync(join(dir, 'sub'))
      writeFileSync(join(dir, 'sub', 'job.log'), token)
      // GIT_TRACE2 writes as soon as any git process starts, even one that finds no repository.
      const gitRuns = (name: string) => {
        const trace = join(root, `ceiling-${name}.trace2`)
        return {env: {GIT_TRACE2: trace}, ran: () => existsSync(trace)}
      }
      const below = gitRuns('below')
      const belowCeiling = await scan(['-f', 'simple'], {cwd: join(dir, 'sub'), env: {GIT_CEILING_DIRECTORIES: dir, ...below.env}})
      expectFindings(belowCeiling, [`job.log:1:1\t${prefix(token)}`], [token])
      expect(below.ran(), 'a git process ran below the ceiling').to.equal(false)
      // Without the ceiling the same directory is in the work tree: git lists it, and job.log is ignored.
      const inTree = gitRuns('in-tree')
      const ignored = await scan([], {cwd: join(dir, 'sub'), env: inTree.env})
      expect(ignored.exitCode, ignored.stderr).to.equal(0)
      expect(inTree.ran()).to.equal(true)
      // The ceiling excludes only what is above the working directory, never the directory itself.
      const atCeiling = await scan([], {cwd: dir, env: {GIT_CEILING_DIRECTORIES: dir}})
      expect(atCeiling.exitCode, atCeiling.stdout).to.equal(0)
    })

    it('--git-history reports a token added and later deleted, with its commit, path and line', async () => {
      const dir = gitRepo('history')
      const token = generatePat()
      writeFileSync(join(dir, 'README'), 'hello\n')
      git(dir, 'add', '.')
      git(dir, 'commit', '-qm', 'first')
      mkdirSync(join(dir, 'deploy'))
      writeFileSync(join(dir, 'deploy', 'ci.env'), `A=1\n++ ${token}\n`)
      git(dir, 'add', '.')
      git(dir, 'commit', '-qm', 'oops')
      const leaked = git(dir, 'rev-parse', 'HEAD').trim()
      rmSync(join(dir, 'deploy', 'ci.env'))
      git(dir, 'add', '-A')
      git(dir, 'commit', '-qm', 'remove it')
      const now = await scan(['-f', 'json'], {cwd: dir})
      expect(now.exitCode, now.stderr).to.equal(0)
      const result = await scan(['--git-history', '-f', 'json'], {cwd: dir})
      expect(result.exitCode, result.stderr).to.equal(FOUND)
      expect(JSON.parse(result.stdout)).to.deep.equal([{path: 'deploy/ci.env', line: 2, column: 4, token_prefix: prefix(token), commit: leaked, source: 'git-history'}])
      const table = await scan(['--git-history'], {cwd: dir})
      expect(table.stdout).to.include(leaked.slice(0, 12)).and.include('deploy/ci.env:2:4')
      expect(table.stdout + table.stderr).not.to.include(token)
    })

    it('--staged reports only what the staged changes add (the pre-commit case)', async () => {
      const dir = gitRepo('staged')
      const [committed, staged, unstaged] = [generatePat(), generatePat(), generatePat()]
      writeFileSync(join(dir, 'old.txt'), committed)
      git(dir, 'add', '.')
      git(dir, 'commit', '-qm', 'old')
      writeFileSync(join(dir, 'app.cfg'), `a\nb\nkey: ${staged}\n`)
      git(dir, 'add', 'app.cfg')
      writeFileSync(join(dir, 'wip.txt'), unstaged)
      expectFindings(await scan(['--staged', '-f', 'simple'], {cwd: dir}), [`app.cfg:3:6\t${prefix(staged)}`], [staged])
      git(dir, 'commit', '-qm', 'staged')
      const clean = await scan(['--staged'], {cwd: dir})
      expect(clean.exitCode, clean.stderr).to.equal(0)
    })

    it('--staged outside a repository is exit 2 naming the fix', async () => {
      const result = await scan(['--staged'], {cwd: fresh('not-a-repo')})
      expect(result.exitCode).to.equal(2)
      expect(result.stderr).to.match(/^Error: .*--staged needs a directory inside a git repository\.\n$/)
    })

    it('the shipped .pre-commit-hooks.yaml runs the staged scan', () => {
      const hooks = readFileSync(join(dirname(HOST_BIN), '..', '.pre-commit-hooks.yaml'), 'utf8')
      expect(hooks).to.include('id: ndcli-scan').and.include('entry: ndcli auth token scan --staged').and.include('language: system').and.include('pass_filenames: false')
    })
  })

  describe('output', () => {
    it('--sarif writes SARIF 2.1.0 that validates against the schema, with rule, message, location and commit — and no secret', async () => {
      const dir = gitRepo('sarif')
      const [old, current] = [generatePat(), generatePat()]
      writeFileSync(join(dir, 'a b.txt'), `x ${old}\n`)
      git(dir, 'add', '.')
      git(dir, 'commit', '-qm', 'leak')
      const sarifFile = join(root, 'out.sarif')
      writeFileSync(join(dir, 'now.txt'), current)
      const result = await scan(['--git-history', '--sarif', sarifFile, '-f', 'json'], {cwd: dir})
      expect(result.exitCode, result.stderr).to.equal(FOUND)
      const text = readFileSync(sarifFile, 'utf8')
      expect(text).not.to.include(old).and.not.to.include(current)
      const log = JSON.parse(text)
      const require = createRequire(import.meta.url)
      const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'))
      // The schema is draft-04 (as the SARIF committee publishes it), read by ajv-draft-04; one of its patterns is no valid /u regexp.
      const ajv = new Ajv04.default({strict: false, allErrors: true, unicodeRegExp: false})
      addFormats.default(ajv)
      const validate = ajv.compile(schema)
      expect(validate(log), JSON.stringify(validate.errors)).to.equal(true)
      const run = log.runs[0]
      expect(run.tool.driver.name).to.equal('ndcli')
      expect(run.tool.driver.rules.map((rule: {id: string}) => rule.id)).to.deep.equal(['ndcli/personal-access-token'])
      const places = run.results.map((r: {ruleId: string; message: {text: string}; locations: Array<{physicalLocation: {artifactLocation: {uri: string}; region: {startLine: number; startColumn: number}}}>; properties: {commit?: string}}) => ({
        ruleId: r.ruleId,
        uri: r.locations[0]!.physicalLocation.artifactLocation.uri,
        line: r.locations[0]!.physicalLocation.region.startLine,
        column: r.locations[0]!.physicalLocation.region.startColumn,
        commit: r.properties.commit,
        mentionsPrefix: r.message.text.includes(prefix(r.locations[0]!.physicalLocation.artifactLocation.uri === 'now.txt' ? current : old)),
      }))
      const leak = git(dir, 'rev-parse', 'HEAD').trim()
      expect(places).to.deep.equal([
        {ruleId: 'ndcli/personal-access-token', uri: 'a%20b.txt', line: 1, column: 3, commit: undefined, mentionsPrefix: true},
        {ruleId: 'ndcli/personal-access-token', uri: 'now.txt', line: 1, column: 1, commit: undefined, mentionsPrefix: true},
        {ruleId: 'ndcli/personal-access-token', uri: 'a%20b.txt', line: 1, column: 3, commit: leak, mentionsPrefix: true},
      ])
    })

    it('never prints a whole secret, in any format or in DEBUG=* output', async () => {
      const dir = fresh('no-secret')
      const token = generatePat()
      writeFileSync(join(dir, 'a.txt'), token)
      for (const format of ['table', 'json', 'simple', 'detailed']) {
        const result = await scan(['-f', format, '--verbose'], {cwd: dir, env: {DEBUG: '*'}})
        expect(result.exitCode, result.stderr).to.equal(FOUND)
        expect(result.stdout).to.include(prefix(token))
        expect(result.stdout + result.stderr, format).not.to.include(token)
      }
    })
  })

  describe('--revoke', () => {
    let server: ServerProcess
    let cli: Cli

    before(async () => {
      server = await startServerProcess({env: {NDCLI_SERVER_TEST_CLOCK: '1'}})
      cli = await loggedInCli(server, 'leaker@example.com')
    })

    after(async () => {
      await cli?.cleanup()
      await server?.stop()
    })

    it('ends a live token found in a file, with no session and no NDCLI_TOKEN, sending nothing but the token', async () => {
      const created = await cli.ndcli(['auth', 'token', 'create', '--name', 'leaked', '--scope', 'rw', '--quiet'])
      expect(created.exitCode, created.stderr).to.equal(0)
      const token = created.stdout.trimEnd()
      expect((await cli.ndcli(['auth', 'token', 'list', '-f', 'json'], {token})).exitCode).to.equal(0)
      const dir = fresh('revoke')
      writeFileSync(join(dir, 'build.log'), `ok\nNDCLI_TOKEN=${token}\nagain ${token}\n`)
      const {result, requests} = await withRequests(server, () => scan(['--revoke', '-f', 'simple'], {cwd: dir, env: {NDCLI_API_URL: server.url, DEBUG: '*'}}))
      expect(result.exitCode, result.stderr).to.equal(FOUND)
      expect(result.stdout).to.equal(`build.log:2:13\t${prefix(token)}\tsubmitted\nbuild.log:3:7\t${prefix(token)}\tsubmitted\n`)
      expect(result.stderr).to.include(`✓ build.log:2:13 ${prefix(token)}: revoke submitted\n✓ build.log:3:7 ${prefix(token)}: revoke submitted\n`)
      expect(result.stdout + result.stderr).not.to.include(token)
      // One request (the same value twice is sent once), to the revoke-by-value endpoint only, without a credential.
      expect(requests).to.deep.equal(['POST /api/v1/credentials/revoke'])
      expect(server.log()).not.to.include(token)
      const after = await cli.ndcli(['auth', 'token', 'list', '-f', 'json'], {token})
      expect(after.exitCode).to.equal(3)
    })

    it('waits out the endpoint limit (429 Retry-After) and says so on stderr', async () => {
      const limited = await startServerProcess({env: {NDCLI_SERVER_TEST_CLOCK: '1', NDCLI_SERVER_CREDENTIAL_REVOKE_LIMIT: '1'}})
      try {
        // The address's one revocation of the minute, then the clock 58 s on: the scan's is refused for ~2 s.
        const first = await fetch(`${limited.url}/api/v1/credentials/revoke`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({token: generatePat()})})
        expect(first.status).to.equal(202)
        await limited.shiftClock(58)
        const dir = fresh('limited')
        const token = generatePat()
        writeFileSync(join(dir, 'a.txt'), token)
        const result = await scan(['--revoke', '-f', 'json'], {cwd: dir, env: {NDCLI_API_URL: limited.url}})
        expect(result.exitCode, result.stderr).to.equal(FOUND)
        expect(result.stderr).to.match(/^The control plane limits revocations per address: waiting [12] s before the next one…\n✓ a\.txt:1:1 ndpat_\S{6}: revoke submitted\n$/)
        expect(JSON.parse(result.stdout)[0].revoke).to.equal('submitted')
      } finally {
        await limited.stop()
      }
    })
  })
})
