/** The shell itself: help, topics, config commands and hooks, through the built bin/run.js. */
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {stat, writeFile, mkdir} from 'node:fs/promises'
import {join} from 'node:path'

import {generatePat} from '@ndcli/core/pat'
import {isolatedDirs, runBinary} from '@ndcli/core/testing'

import {runInPty} from './support/pty.js'

const BIN = new URL('../bin/run.js', import.meta.url).pathname

describe('ndcli shell', () => {
  let dirs: Awaited<ReturnType<typeof isolatedDirs>>
  const ndcli = (args: string[], env: Record<string, string> = {}) => runBinary(BIN, args, {env: {...dirs.env, ...env}})

  beforeEach(async () => {
    dirs = await isolatedDirs()
  })
  afterEach(() => dirs.cleanup())

  it('--help lists the auth, config and plugins topics', async () => {
    const {stdout, exitCode} = await ndcli(['--help'])
    expect(exitCode).to.equal(0)
    for (const topic of ['auth', 'config', 'plugins']) expect(stdout).to.match(new RegExp(`^\\s+${topic}\\s`, 'm'))
  })

  it('--version prints ndcli/<version>', async () => {
    const {stdout, exitCode} = await ndcli(['--version'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.match(/^ndcli\/\d+\.\d+\.\d+ /)
  })

  it('stops quietly with exit 0 when the reader of its output goes away (`| head` under pipefail)', () => {
    // The reader closes after one byte, well before --help is written out.
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" --help | head -c 1 >/dev/null`], {env: {...process.env, ...dirs.env}, encoding: 'utf8'})
    expect(result.stderr).not.to.include('unsettled top-level await')
    expect(result.status, result.stderr).to.equal(0)
  })

  it('config set output.format json, then config get prints json', async () => {
    expect((await ndcli(['config', 'set', 'output.format', 'json'])).exitCode).to.equal(0)
    const {stdout, exitCode} = await ndcli(['config', 'get', 'output.format'])
    expect([stdout, exitCode]).to.deep.equal(['json\n', 0])
    expect((await stat(join(dirs.env.NDCLI_CONFIG_DIR!, 'config.json'))).isFile()).to.equal(true)
  })

  it('config list renders in every format, and the configured default applies', async () => {
    await ndcli(['config', 'set', 'api.url', 'http://127.0.0.1:9'])
    const table = await ndcli(['config', 'list'])
    expect(table.stdout).to.match(/^╭─+┬/).and.to.include('│ api.url       │ http://127.0.0.1:9 │')
    const simple = await ndcli(['config', 'list', '-f', 'simple'])
    expect(simple.stdout.split('\n')[0]).to.equal('api.url\thttp://127.0.0.1:9\tURL of the control plane (overridden by NDCLI_API_URL)')
    const json = JSON.parse((await ndcli(['config', 'list', '--json'])).stdout) as Array<{key: string; value: string | null}>
    expect(json.map(({key, value}) => [key, value])).to.deep.equal([
      ['api.url', 'http://127.0.0.1:9'],
      ['auth.storage', null],
      ['output.format', null],
      ['plugins.allow', null],
    ])
    await ndcli(['config', 'set', 'output.format', 'json'])
    expect(JSON.parse((await ndcli(['config', 'list'])).stdout)).to.have.length(4)
  })

  const usageErrors: Array<[string, string[], RegExp]> = [
    ['unknown setting', ['config', 'set', 'colour', 'red'], /Expected colour to be one of: api.url, auth.storage, output.format/],
    ['bad format value', ['config', 'set', 'output.format', 'xml'], /output.format must be one of: table, json, simple, detailed/],
    ['bad URL', ['config', 'set', 'api.url', 'localhost:4680'], /api.url must be an http:\/\/ or https:\/\/ URL/],
    ['bad -f value', ['config', 'list', '-f', 'yaml'], /Expected --format=yaml to be one of: table, json, simple, detailed/],
    ['unknown flag', ['config', 'list', '--colour'], /Nonexistent flag: --colour/],
  ]
  for (const [name, args, message] of usageErrors) {
    it(`${name} → one-line error, exit 2`, async () => {
      const {stderr, stdout, exitCode} = await ndcli(args)
      expect(exitCode).to.equal(2)
      expect(stderr).to.match(message)
      expect(stderr.trim().split('\n')[0]).to.match(/^Error: /)
      expect(stdout).to.equal('')
    })
  }

  it('-f json errors also print the error document on stdout', async () => {
    const {stdout, exitCode} = await ndcli(['config', 'list', '-f', 'json', '--colour'])
    expect(exitCode).to.equal(2)
    expect(JSON.parse(stdout)).to.deep.equal({error: {code: 'usage_error', message: 'Nonexistent flag: --colour'}})
  })

  it('refuses a malformed NDCLI_TOKEN before any request, naming the problem but not the value', async () => {
    const truncated = generatePat().slice(0, -3)
    const {stderr, exitCode} = await ndcli(['org', 'list'], {NDCLI_TOKEN: truncated, NDCLI_API_URL: 'http://127.0.0.1:9'})
    expect(exitCode).to.equal(3)
    expect(stderr).to.include('looks truncated: 40 of 43 characters')
    expect(stderr).not.to.include(truncated.slice(6))
  })

  it('names the settings file when it is not valid JSON', async () => {
    await mkdir(dirs.env.NDCLI_CONFIG_DIR!, {recursive: true})
    await writeFile(join(dirs.env.NDCLI_CONFIG_DIR!, 'config.json'), '{oops')
    const {stderr, exitCode} = await ndcli(['config', 'list'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.include('config.json is not valid JSON')
  })

  describe('colour (supports-color, and NO_COLOR always wins)', () => {
    const RED_ERROR = '\u001B[31mError:\u001B[39m Not logged in'
    // `org list` with no login fails locally (exit 3): an error line to look at, no server needed.
    const notAuthenticated = (env: Record<string, string | undefined>) => runBinary(BIN, ['org', 'list'], {env: {...dirs.env, NO_COLOR: undefined, ...env}})

    it('FORCE_COLOR colours the error even on a pipe', async () => {
      const {stderr, exitCode} = await notAuthenticated({FORCE_COLOR: '1'})
      expect({exitCode, colored: stderr.startsWith(RED_ERROR)}).to.deep.equal({exitCode: 3, colored: true})
    })

    it('no colour on a pipe without FORCE_COLOR, nor with FORCE_COLOR and NO_COLOR', async () => {
      for (const env of [{}, {FORCE_COLOR: '1', NO_COLOR: '1'}, {FORCE_COLOR: '0'}]) {
        const {stderr, exitCode} = await notAuthenticated(env)
        expect({env, exitCode, plain: /^Error: Not logged in/.test(stderr)}).to.deep.equal({env, exitCode: 3, plain: true})
      }
    })

    it('on a terminal: colour with TERM=xterm, none with TERM=dumb', async () => {
      // CI unset: supports-color gives no colour under an unknown CI, even on a terminal (.ci/run sets CI=true).
      const xterm = await runInPty(['org', 'list'], {...dirs.env, NO_COLOR: '', TERM: 'xterm', CI: undefined}).exited
      const dumb = await runInPty(['org', 'list'], {...dirs.env, NO_COLOR: '', TERM: 'dumb', CI: undefined}).exited
      expect([xterm.exitCode, dumb.exitCode]).to.deep.equal([3, 3])
      expect(xterm.output).to.include(RED_ERROR)
      expect(dumb.output).to.match(/^Error: Not logged in/)
    })
  })
})
