/**
 * The conventions around the commands (issue 19), through the real bin/run.js (build first):
 * shell completion (@oclif/plugin-autocomplete, with ndcli's own bash script: flag values too)
 * sourced into real bash and real zsh, did-you-mean for an unknown command off a terminal and on one, and a
 * plugin whose plugins:postinstall hook runs one of its own commands, installed offline from a
 * tarball.
 */
import {expect} from 'chai'
import {execFile, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

import {oclif} from '@ndcli/core'
import {isolatedDirs, runBinary} from '@ndcli/core/testing'

import {BIN} from './support/cli.js'
import {runInPty} from './support/pty.js'

const exec = promisify(execFile)
/** Completes a line in zsh itself (its completion system on a pseudo-terminal). */
const ZSH_COMPLETE = fileURLToPath(new URL('support/zsh-complete.zsh', import.meta.url))
const hasZsh = () => spawnSync('zsh', ['--version']).status === 0
/** npm fails at once instead of retrying a registry that is not there. */
const OFFLINE = {npm_config_registry: 'http://127.0.0.1:9', npm_config_fetch_retries: '0', npm_config_fetch_timeout: '2000'}

type Dirs = Awaited<ReturnType<typeof isolatedDirs>>

describe('conventions around the commands', () => {
  let dirs: Dirs
  /** The binary with isolated config/data/cache dirs and HOME, no update check (it has its own suite). */
  const ndcli = (args: string[], env: Record<string, string | undefined> = {}) =>
    runBinary(BIN, args, {env: {...dirs.env, HOME: dirs.root, NDCLI_SKIP_NEW_VERSION_CHECK: 'true', ...OFFLINE, ...env}, timeout: 30_000})

  /**
   * Sources the generated bash completion in a real bash and completes `words` (the last one
   * being typed); COMPREPLY. The completion files are written first by `writer` (null: already written).
   */
  async function completeInBash(words: string[], writer: string[] | null = ['autocomplete', 'create']): Promise<string[]> {
    if (writer) {
      const written = await ndcli(writer)
      expect(written.exitCode, written.stderr).to.equal(0)
    }
    // What `ndcli autocomplete bash` tells people to add to ~/.bashrc, evaluated as bash would.
    const setup = await ndcli(['autocomplete', 'script', 'bash'])
    expect(setup.exitCode, setup.stderr).to.equal(0)
    const script = [
      setup.stdout,
      'COMP_WORDS=("$@")',
      'COMP_CWORD=$(($# - 1))',
      '_ndcli_autocomplete',
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join('\n')
    const {stdout} = await exec('bash', ['--norc', '--noprofile', '-c', script, 'bash', ...words], {env: {PATH: process.env.PATH, HOME: dirs.root}})
    return stdout.split('\n').filter(Boolean)
  }

  beforeEach(async () => {
    dirs = await isolatedDirs()
  })
  afterEach(() => dirs.cleanup())

  describe('shell completion (ndcli autocomplete)', () => {
    it('bash completes a flag of a command: `ndcli auth token create --s` → --scope', async () => {
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--s'])).to.deep.equal(['--scope'])
    })

    it('bash completes commands and topics: `ndcli auth token r` → revoke, rotate', async () => {
      expect(await completeInBash(['ndcli', 'auth', 'token', 'r'])).to.have.members(['revoke', 'rotate'])
      expect(await completeInBash(['ndcli', 'o'])).to.include('org')
    })

    it('bash completes the values of a flag from its definition: --scope, -f, --expiry', async () => {
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--scope', ''])).to.deep.equal(['RW', 'RO'])
      // --scope takes any case: what is typed in lower case is completed to the value as documented.
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--scope', 'r'])).to.deep.equal(['RW', 'RO'])
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--scope', 'rw'])).to.deep.equal(['RW'])
      // `--scope=<TAB>` and `--scope=R<TAB>`: bash breaks the words at "=".
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--scope', '='])).to.deep.equal(['RW', 'RO'])
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--scope', '=', 'R'])).to.deep.equal(['RW', 'RO'])
      expect(await completeInBash(['ndcli', 'auth', 'token', 'list', '-f', ''])).to.deep.equal(['table', 'json', 'simple', 'detailed'])
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--name', 'ci', '--expiry', '3'])).to.deep.equal(['30d', '365d'])
      // After a value, flags again (every flag, not only the first as in plugin-autocomplete 4's bash).
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--scope', 'RW', '--ex'])).to.deep.equal(['--expiry'])
      // A list flag (--allowed-scopes RW,RO) completes each of its values.
      expect(await completeInBash(['ndcli', 'org', 'policy', 'set', 'ops', '--allowed-scopes', ''])).to.deep.equal(['RW', 'RO'])
      // A flag that takes any value offers none of the command's words.
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--name', ''])).to.deep.equal([])
    })

    it("bash completes an argument's values: `ndcli config get ` → the settings", async () => {
      expect(await completeInBash(['ndcli', 'config', 'get', ''])).to.deep.equal(['api.url', 'auth.storage', 'output.format', 'plugins.allow'])
    })

    it('`ndcli autocomplete bash` (the setup instructions) writes the same completion, values included', async () => {
      expect(await completeInBash(['ndcli', 'auth', 'token', 'create', '--scope', 'R'], ['autocomplete', 'bash'])).to.deep.equal(['RW', 'RO'])
    })

    it('the zsh completion lists the values of --scope, --expiry, -f and --allowed-scopes', async () => {
      expect((await ndcli(['autocomplete', 'create'])).exitCode).to.equal(0)
      const zsh = await readFile(join(dirs.env.NDCLI_CACHE_DIR!, 'autocomplete', 'functions', 'zsh', '_ndcli'), 'utf8')
      expect(zsh).to.include(':scope options:(RW RO)"')
      expect(zsh).to.include(':expiry options:(30d 60d 90d 180d 365d never)"')
      expect(zsh).to.include(':format options:(table json simple detailed)"')
      expect(zsh).to.include('"*"--allowed-scopes"[Scopes a token may have: RW, RO, or both (RW,RO), in any case.]:allowed-scopes options:(RW RO)"')
    })

    it('zsh itself completes commands, flags and flag values from the setup `ndcli autocomplete script zsh` prints', async function () {
      if (!hasZsh()) {
        if (process.env.CI) throw new Error('zsh is missing: .ci/install-system-packages installs it')
        console.log('      (skipped: no zsh here; .ci/run installs it)')
        this.skip()
      }
      expect((await ndcli(['autocomplete', 'create'])).exitCode).to.equal(0)
      const setup = await ndcli(['autocomplete', 'script', 'zsh'])
      expect(setup.exitCode, setup.stderr).to.equal(0)
      const zshrc = join(dirs.root, '.zshrc')
      await writeFile(zshrc, setup.stdout)
      const completeInZsh = async (line: string) => {
        const {stdout} = await exec('zsh', ['-f', ZSH_COMPLETE, zshrc, line], {env: {PATH: process.env.PATH, HOME: dirs.root}, timeout: 30_000})
        return stdout.split('\n').filter(Boolean)
      }
      expect(await completeInZsh('ndcli au')).to.include.members(['auth', 'autocomplete'])
      expect(await completeInZsh('ndcli auth token r')).to.have.members(['revoke', 'rotate'])
      expect(await completeInZsh('ndcli auth token create --s')).to.deep.equal(['--scope'])
      expect(await completeInZsh('ndcli auth token create --scope ')).to.have.members(['RW', 'RO'])
      expect(await completeInZsh('ndcli auth token list -f ')).to.have.members(['table', 'json', 'simple', 'detailed'])
      expect(await completeInZsh('ndcli org policy set ops --allowed-scopes ')).to.have.members(['RW', 'RO'])
    })

    it('the values listed for completion are the ones create accepts', async () => {
      for (const scope of ['RW', 'ro', 'Ro']) {
        const result = await ndcli(['auth', 'token', 'create', '--name', 'n', '--scope', scope], {NDCLI_API_URL: 'http://127.0.0.1:9'})
        // Past parsing: refused for want of a login session, not for the value.
        expect([result.exitCode, result.stderr]).to.deep.equal([3, "Error: Not logged in to http://127.0.0.1:9 (from NDCLI_API_URL). Run 'ndcli auth login', or set NDCLI_TOKEN.\n"])
      }
    })
  })

  describe("the hooks' code imported on demand", () => {
    /** The shell's modules a run of `args` loads (Node's ESM loader, NODE_DEBUG=esm). */
    async function shellModules(args: string[]): Promise<string[]> {
      const result = await ndcli(args, {NODE_DEBUG: 'esm'})
      return [...new Set(result.stderr.match(/(?<=\/dist\/)[\w-]+\.js/g))]
    }

    it('a plain command runs the hooks without loading the completion generator, did-you-mean or the plugin checks', async () => {
      const modules = await shellModules(['config', 'list'])
      expect(modules).to.include('hooks.js')
      expect(modules.filter((module) => ['completion-bash.js', 'not-found.js', 'plugin-checks.js'].includes(module))).to.deep.equal([])
    })

    it('each is loaded where it is needed (the probe sees them)', async () => {
      expect(await shellModules(['autocomplete', 'create'])).to.include('completion-bash.js').and.not.to.include('not-found.js')
      expect(await shellModules(['auth', 'token', 'lst'])).to.include('not-found.js').and.not.to.include('completion-bash.js')
    })
  })

  describe('help examples', () => {
    // oclif's help puts `$ ` before an example only when it starts with the bin (or `$ <bin>`): one that
    // starts with another program or a variable (`ci-job | ndcli …`, `NDCLI_TOKEN=… ndcli …`) must spell its own `$ `.
    it('every example of every command (shell and plugins) starts with the bin or with `$ `', async () => {
      const config = await oclif.Config.load(fileURLToPath(new URL('..', import.meta.url)))
      const unprefixed = config.commands.flatMap((command) =>
        (command.examples ?? [])
          .flatMap((example) => (typeof example === 'string' ? example.split('\n').filter((line) => line.includes('<%= config.bin %>')) : [example.command]))
          .filter((line) => !line.startsWith('<%= config.bin %>') && !line.startsWith('$ '))
          .map((line) => `${command.id}: ${line}`),
      )
      expect(config.commands.length).to.be.above(20)
      expect(unprefixed).to.deep.equal([])
    })

    it('a piped or env-prefixed example is shown as a command line: `$ ci-job … | ndcli auth token scan`, `$ NDCLI_TOKEN=… ndcli auth status`', async () => {
      const [scan, status] = await Promise.all([ndcli(['auth', 'token', 'scan', '--help']), ndcli(['auth', 'status', '--help'])])
      expect(scan.stdout).to.match(/^ {4}\$ ci-job 2>&1 \| tee job\.log \| ndcli auth token scan - --revoke$/m)
      expect(status.stdout).to.match(/^ {2}\$ NDCLI_TOKEN=ndpat_… ndcli auth status$/m)
    })
  })

  describe('did-you-mean for an unknown command', () => {
    it('off a terminal it names the nearest command, exits 2 and does not wait for an answer', async () => {
      const started = Date.now()
      const result = await ndcli(['auth', 'token', 'lst'], {})
      expect([result.exitCode, result.stdout, result.stderr]).to.deep.equal([
        2,
        '',
        "Error: command auth token lst not found\nHint: Did you mean 'ndcli auth token list'? See 'ndcli --help' for the commands.\n",
      ])
      // runBinary leaves stdin open on nothing: a prompt would have waited for the 30 s kill.
      expect(Date.now() - started).to.be.below(20_000)
    })

    it('with -f json the error is JSON on stdout too', async () => {
      const result = await ndcli(['auth', 'tokn', 'list', '-f', 'json'])
      expect(result.exitCode).to.equal(2)
      expect(JSON.parse(result.stdout)).to.deep.equal({error: {code: 'usage_error', message: 'command auth tokn list not found'}})
      expect(result.stderr).to.include("Did you mean 'ndcli auth token list'?")
    })

    it('suggests nothing for a word that is near no command', async () => {
      const result = await ndcli(['xyzzy'])
      expect([result.exitCode, result.stderr]).to.deep.equal([2, "Error: command xyzzy not found\nHint: See 'ndcli --help' for the commands.\n"])
    })

    it('on a terminal it asks, and runs the suggestion on "yes"', async () => {
      const env = {...dirs.env, HOME: dirs.root, NDCLI_SKIP_NEW_VERSION_CHECK: 'true', NDCLI_API_URL: 'http://127.0.0.1:9'}
      const yes = runInPty(['auth', 'token', 'lst'], env)
      await yes.waitForOutput('Did you mean ndcli auth token list?')
      yes.write('y\r')
      const ran = await yes.exited
      // auth token list ran: it asks for a login.
      expect(ran.exitCode, ran.output).to.equal(3)
      expect(ran.output).to.include('ndcli auth token lst is not a command.').and.to.include('Error: Not logged in to ')
    })

    it('on a terminal "no" ends with the usage error (exit 2)', async () => {
      const no = runInPty(['auth', 'token', 'lst'], {...dirs.env, NDCLI_SKIP_NEW_VERSION_CHECK: 'true'})
      await no.waitForOutput('Did you mean ndcli auth token list?')
      no.write('n\r')
      const declined = await no.exited
      expect(declined.exitCode, declined.output).to.equal(2)
      expect(declined.output).to.include('Error: command auth token lst not found').and.not.to.include('Not logged in')
    })
  })

  describe('did-you-mean for an unknown flag', () => {
    it("names the command's flag nearest to a mistyped one, and where its flags are listed; exit 2, nothing on stdout", async () => {
      for (const [args, typed, meant, command] of [
        [['auth', 'token', 'create', '--nmae', 'ci', '--scope', 'ro'], '--nmae', '--name', 'auth token create'],
        [['auth', 'token', 'list', '--fromat=json'], '--fromat=json', '--format', 'auth token list'],
        [['org', 'policy', 'set', 'ops', '--no-require-org-restricton'], '--no-require-org-restricton', '--no-require-org-restriction', 'org policy set'],
      ] as const) {
        const result = await ndcli([...args])
        expect([result.exitCode, result.stdout, result.stderr], args.join(' ')).to.deep.equal([
          2,
          '',
          `Error: Nonexistent flag: ${typed}\nHint: Did you mean ${meant}? See 'ndcli ${command} --help' for its flags.\n`,
        ])
      }
    })

    it('suggests no flag for one near none, for a short flag, or for several unknown ones, but still says where the flags are', async () => {
      for (const args of [['config', 'list', '--colour'], ['config', 'list', '-x'], ['config', 'list', '--bogus', '--other']]) {
        const result = await ndcli(args)
        expect(result.exitCode, args.join(' ')).to.equal(2)
        expect(result.stderr, args.join(' ')).to.match(/^Error: Nonexistent flags?: .+\nHint: See 'ndcli config list --help' for its flags\.\n$/)
      }
    })
  })

  describe('a missing or an unexpected argument', () => {
    it('names the argument, what it is and its values, and where the usage is; exit 2, nothing on stdout', async () => {
      for (const [args, stderr] of [
        [['auth', 'token', 'show'], "Error: Missing required argument NAME: Name of the token (as shown in auth token list)\nHint: See 'ndcli auth token show --help'.\n"],
        [['config', 'get'], "Error: Missing required argument KEY: Setting name, one of api.url, auth.storage, output.format, plugins.allow\nHint: See 'ndcli config get --help'.\n"],
        [['config', 'set'], "Error: Missing required arguments KEY and VALUE\nHint: See 'ndcli config set --help'.\n"],
        [['auth', 'token', 'list', 'extra', 'more'], "Error: Unexpected arguments: extra, more\nHint: See 'ndcli auth token list --help'.\n"],
      ] as const) {
        const result = await ndcli([...args])
        expect([result.exitCode, result.stdout, result.stderr], args.join(' ')).to.deep.equal([2, '', stderr])
      }
    })

    it('with -f json the error document carries the same message', async () => {
      const result = await ndcli(['org', 'show', '-f', 'json'])
      expect(result.exitCode).to.equal(2)
      expect(JSON.parse(result.stdout)).to.deep.equal({error: {code: 'usage_error', message: 'Missing required argument SLUG: Organization slug (as shown in org list)'}})
    })
  })

  describe('a plugin whose plugins:postinstall hook runs one of its own commands', () => {
    const NAME = 'ndcli-plugin-setup-fixture'

    /** A minimal oclif plugin (no dependencies) in npm's `package/` layout, tarred: its postinstall hook runs `fixture setup`. */
    async function fixtureTarball(): Promise<string> {
      const folder = join(dirs.root, 'fixture', 'package')
      await mkdir(join(folder, 'commands', 'fixture'), {recursive: true})
      await mkdir(join(folder, 'hooks'))
      const oclif = {commands: './commands', hooks: {'plugins:postinstall': './hooks/postinstall.js'}}
      await writeFile(join(folder, 'package.json'), JSON.stringify({name: NAME, version: '1.0.0', type: 'module', oclif}))
      const mode = {name: 'mode', type: 'option', options: ['quick', 'full'], multiple: false}
      const command = {id: 'fixture:setup', description: 'Set the plugin up.', flags: {mode}, args: {}, aliases: [], hiddenAliases: [], pluginName: NAME, pluginType: 'user', isESM: true, relativePath: ['commands', 'fixture', 'setup.js']}
      await writeFile(join(folder, 'oclif.manifest.json'), JSON.stringify({version: '1.0.0', commands: {'fixture:setup': command}}))
      await writeFile(
        join(folder, 'commands', 'fixture', 'setup.js'),
        `import {writeFileSync} from 'node:fs'\nimport {join} from 'node:path'\n` +
          `export default class Setup {\n  static description = 'Set the plugin up.'\n` +
          `  static async run(argv, config) {\n    writeFileSync(join(config.dataDir, 'fixture-set-up'), config.bin)\n    process.stderr.write('fixture set up\\n')\n  }\n}\n`,
      )
      await writeFile(join(folder, 'hooks', 'postinstall.js'), `export default async function ({config}) {\n  await config.runCommand('fixture:setup')\n}\n`)
      const tarball = join(dirs.root, `${NAME}-1.0.0.tgz`)
      await exec('tar', ['-czf', tarball, '-C', join(dirs.root, 'fixture'), 'package'])
      return tarball
    }

    it('installs from a tarball with exit 0, the hook ran the command it had just added, and bash completes its flag values', async function () {
      this.timeout(120_000)
      const tarball = await fixtureTarball()
      const installed = await runBinary(BIN, ['plugins', 'install', `file:${tarball}`], {env: {...dirs.env, ...OFFLINE, NDCLI_SKIP_NEW_VERSION_CHECK: 'true'}, timeout: 120_000})
      expect(installed.exitCode, installed.stderr).to.equal(0)
      expect(installed.stderr).to.include('fixture set up').and.not.to.include('not found')
      expect(await readFile(join(dirs.env.NDCLI_DATA_DIR!, 'fixture-set-up'), 'utf8')).to.equal('ndcli')

      // And it stays installed: the command runs in a later process.
      const later = await ndcli(['fixture', 'setup'])
      expect([later.exitCode, later.stderr]).to.deep.equal([0, 'fixture set up\n'])
      expect(existsSync(join(dirs.env.NDCLI_CACHE_DIR!, 'autocomplete')), "the completion cache, refreshed by plugin-autocomplete's own postinstall hook").to.equal(true)

      // That refresh wrote ndcli's bash completion: the plugin's command and its flag's values, with no `autocomplete` run.
      expect(await completeInBash(['ndcli', 'f'], null)).to.deep.equal(['fixture'])
      expect(await completeInBash(['ndcli', 'fixture', 'setup', '--mode', ''], null)).to.deep.equal(['quick', 'full'])
      const uninstalled = await ndcli(['plugins', 'uninstall', NAME])
      expect(uninstalled.exitCode, uninstalled.stderr).to.equal(0)
      expect(await completeInBash(['ndcli', 'f'], null), 'refreshed again on uninstall').to.deep.equal([])
    })
  })
})
