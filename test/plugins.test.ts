/**
 * Plugins through the real bin/run.js (build first): @ndcli/plugin-auth-token packed with
 * `npm pack` and installed from the tarball with the registry unreachable, the example
 * plugin linked for development, and the trust rules of the plugins:preinstall hook.
 */
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {isolatedDirs, runBinary, type CommandOutput} from '@ndcli/core/testing'

import {readTarball} from '../src/plugins/tarball.js'

const ROOT = new URL('..', import.meta.url).pathname
const BIN = join(ROOT, 'bin', 'run.js')
const AUTH_PLUGIN_DIR = join(ROOT, 'packages', 'plugin-auth-token')
const EXAMPLE_DIR = join(ROOT, 'examples', 'plugin-hello')
/** npm fails at once instead of retrying a registry that is not there. */
const OFFLINE = {npm_config_registry: 'http://127.0.0.1:9', npm_config_fetch_retries: '0', npm_config_fetch_timeout: '2000'}

const exec = promisify(execFile)

type Dirs = Awaited<ReturnType<typeof isolatedDirs>>
type ListedPlugin = {name: string; version: string; type: string; root: string}

function shell(dirs: Dirs) {
  return (args: string[], env: Record<string, string> = {}) => runBinary(BIN, args, {env: {...dirs.env, ...OFFLINE, ...env}, timeout: 120_000})
}

async function listedPlugins(ndcli: ReturnType<typeof shell>): Promise<ListedPlugin[]> {
  const {stdout, exitCode} = await ndcli(['plugins', '--core', '--json'])
  expect(exitCode).to.equal(0)
  return (JSON.parse(stdout) as ListedPlugin[]).map(({name, version, type, root}) => ({name, version, type, root}))
}

function expectSuccess(output: CommandOutput): void {
  expect(output.exitCode, output.stderr).to.equal(0)
}

/** A package folder `package/` (npm's layout) tarred into `<dir>/<name>.tgz`. */
async function tarPackage(dir: string, name: string): Promise<string> {
  const tarball = join(dir, `${name}.tgz`)
  await exec('tar', ['-czf', tarball, '-C', dir, 'package'])
  return tarball
}

describe('plugins', () => {
  describe('@ndcli/plugin-auth-token from its npm pack tarball, registry unreachable', () => {
    let dirs: Dirs
    let ndcli: ReturnType<typeof shell>
    let tarball: string
    let upgrade: string

    before(async function () {
      this.timeout(120_000)
      dirs = await isolatedDirs()
      ndcli = shell(dirs)
      const packs = join(dirs.root, 'packs')
      await mkdir(packs)
      const {stdout} = await exec('npm', ['pack', '--pack-destination', packs, '--silent'], {cwd: AUTH_PLUGIN_DIR})
      tarball = join(packs, stdout.trim().split('\n').pop()!)

      // A later release, as a user would download it: the same tarball with a higher version.
      const unpacked = join(dirs.root, 'upgrade')
      await mkdir(unpacked)
      await exec('tar', ['-xzf', tarball, '-C', unpacked])
      for (const file of ['package.json', 'oclif.manifest.json']) {
        const path = join(unpacked, 'package', file)
        await writeFile(path, JSON.stringify({...JSON.parse(await readFile(path, 'utf8')), version: '0.1.1'}, null, 2))
      }
      upgrade = await tarPackage(unpacked, 'plugin-auth-token-0.1.1')
    })
    after(() => dirs.cleanup())

    it('npm pack makes a self-contained tarball: built code, manifest, bundled @ndcli/core and @oclif/core', async () => {
      const {files, read} = await readTarball(tarball, (path) => path === 'package.json')
      expect(files).to.include.members([
        'oclif.manifest.json',
        'dist/commands/auth/token/list.js',
        'node_modules/@ndcli/core/package.json',
        'node_modules/@ndcli/core/dist/index.js',
        'node_modules/@oclif/core/package.json',
      ])
      expect(files.filter((path) => /^(node_modules\/@ndcli\/core\/)?(src|test)\//.test(path))).to.deep.equal([])
      expect(JSON.parse(read.get('package.json')!.toString()).bundleDependencies).to.deep.equal(['@ndcli/core', '@oclif/core'])
      expect(existsSync(join(AUTH_PLUGIN_DIR, 'node_modules')), 'postpack removes the bundle folder').to.equal(false)
    })

    it('installs offline from a file: URL and then takes precedence over the core plugin', async () => {
      expect((await listedPlugins(ndcli)).find((p) => p.name === '@ndcli/plugin-auth-token')).to.include({type: 'core', version: '0.1.0'})

      expectSuccess(await ndcli(['plugins', 'install', `file:${upgrade}`]))

      expect((await ndcli(['plugins'])).stdout).to.equal('@ndcli/plugin-auth-token 0.1.1\n')
      const active = (await listedPlugins(ndcli)).filter((p) => p.name === '@ndcli/plugin-auth-token')
      expect(active).to.deep.equal([
        {name: '@ndcli/plugin-auth-token', version: '0.1.1', type: 'user', root: join(dirs.env.NDCLI_DATA_DIR!, 'node_modules', '@ndcli', 'plugin-auth-token')},
      ])
      const help = await ndcli(['auth', 'token', 'list', '--help'])
      expectSuccess(help)
      expect(help.stdout).to.include('$ ndcli auth token list')
      // Running it imports the installed code, which finds @ndcli/core in its own bundle.
      const run = await ndcli(['auth', 'token', 'list'], {NDCLI_API_URL: 'http://127.0.0.1:9'})
      expect([run.exitCode, run.stderr]).to.deep.equal([3, "Error: Not logged in to http://127.0.0.1:9 (from NDCLI_API_URL). Run 'ndcli auth login', or set NDCLI_TOKEN.\n"])
    })

    it('uninstall removes the user-installed version and the core plugin is active again', async () => {
      expectSuccess(await ndcli(['plugins', 'uninstall', '@ndcli/plugin-auth-token']))
      expect((await ndcli(['plugins'])).stdout).to.equal('No plugins installed.\n')
      const active = (await listedPlugins(ndcli)).filter((p) => p.name === '@ndcli/plugin-auth-token')
      expect(active.map(({type, version}) => ({type, version}))).to.deep.equal([{type: 'core', version: '0.1.0'}])
      expect(existsSync(join(dirs.env.NDCLI_DATA_DIR!, 'node_modules', '@ndcli', 'plugin-auth-token'))).to.equal(false)
      expectSuccess(await ndcli(['auth', 'token', 'list', '--help']))
    })
  })

  describe('the example plugin, linked for development', () => {
    let dirs: Dirs
    let ndcli: ReturnType<typeof shell>
    before(async () => {
      dirs = await isolatedDirs()
      ndcli = shell(dirs)
    })
    after(() => dirs.cleanup())

    it('link adds its command to the shell, unlink removes it', async () => {
      expect(existsSync(join(EXAMPLE_DIR, 'dist', 'commands', 'hello.js')), 'run `npm run build` first').to.equal(true)
      expectSuccess(await ndcli(['plugins', 'link', '--no-install', EXAMPLE_DIR]))
      expect((await ndcli(['plugins'])).stdout).to.equal(`ndcli-plugin-hello 0.1.0 (link) ${EXAMPLE_DIR}\n`)

      const hello = await ndcli(['hello', 'Ada', '-f', 'json'])
      expectSuccess(hello)
      const greeting = JSON.parse(hello.stdout) as {greeting: string; cli: string}
      expect(greeting.greeting).to.equal('Hello, Ada!')
      expect(greeting.cli, 'runs inside the shell').to.match(/^ndcli\/0\.1\.0 /)

      expectSuccess(await ndcli(['plugins', 'unlink', 'ndcli-plugin-hello']))
      expect((await ndcli(['plugins'])).stdout).to.equal('No plugins installed.\n')
      const gone = await ndcli(['hello'])
      expect(gone.exitCode).to.not.equal(0)
      expect(gone.stderr).to.match(/Unknown command "hello"|command hello not found/)
    })
  })

  describe('readTarball', () => {
    let dirs: Dirs
    /** With package/, 288 characters: more than a ustar header holds (100 + 155), so tar writes a pax or GNU long name. */
    const LONG = `dist/${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(150)}.js`

    before(async () => {
      dirs = await isolatedDirs()
      const folder = join(dirs.root, 'package')
      await mkdir(join(folder, LONG, '..'), {recursive: true})
      await writeFile(join(folder, LONG), 'export {}\n')
      await writeFile(join(folder, 'package.json'), '{"name": "acme-long"}')
      await writeFile(join(folder, 'escape.json'), '{"outside": true}')
    })
    after(() => dirs.cleanup())

    /** `tar` (GNU) with these options over the package folder, into <name>. */
    async function tarball(name: string, options: string[]): Promise<string> {
      const file = join(dirs.root, name)
      await exec('tar', ['-cf', file, ...options, '-C', dirs.root, 'package'])
      return file
    }

    for (const format of ['pax', 'gnu']) {
      it(`reads a ${format} long name (${LONG.length + 'package/'.length} characters)`, async () => {
        const {files, read} = await readTarball(await tarball(`long-${format}.tgz`, ['-z', `--format=${format}`]), (path) => path === LONG)
        expect(files).to.have.members([LONG, 'package.json', 'escape.json'])
        expect(read.get(LONG)?.toString()).to.equal('export {}\n')
      })
    }

    it('reads an uncompressed tar too', async () => {
      const {files, read} = await readTarball(await tarball('plain.tar', []), (path) => path === 'package.json')
      expect(files).to.include('package.json')
      expect(JSON.parse(read.get('package.json')!.toString())).to.deep.equal({name: 'acme-long'})
    })

    it('ignores a member whose path climbs out of the package (package/../escape.json)', async () => {
      const file = await tarball('escape.tgz', ['-z', '--format=pax', '--transform', 's,^package/escape.json$,package/../escape.json,'])
      const {stdout} = await exec('tar', ['-tzf', file])
      expect(stdout.split('\n'), 'the fixture holds the member').to.include('package/../escape.json')
      const {files, read} = await readTarball(file, () => true)
      expect(files).to.have.members([LONG, 'package.json'])
      expect([...read.keys()]).to.have.members([LONG, 'package.json'])
    })

    const damaged: Array<[string, () => Promise<Buffer>]> = [
      ['a file that is not a tarball', async () => Buffer.from('this is not a tarball\n')],
      ['a truncated tarball', async () => (await readFile(await tarball('whole.tgz', ['-z', '--format=pax']))).subarray(0, 200)],
    ]
    for (const [name, contents] of damaged) {
      it(`${name} is a usage error naming what to give instead, not a partial listing`, async () => {
        const file = join(dirs.root, 'damaged.tgz')
        await writeFile(file, await contents())
        const error = await readTarball(file, () => true).then(
          () => expect.fail(`read ${name}`),
          (error: unknown) => error as {message: string; code: string},
        )
        expect(error.code).to.equal('not_a_tarball')
        expect(error.message).to.match(/^\/.*damaged\.tgz is not a readable package tarball \(.+\); give a tarball made by npm pack, or the package folder$/)
      })
    }
  })

  describe('plugins:preinstall trust rules', () => {
    let fixtures: Dirs
    let dirs: Dirs
    let ndcli: ReturnType<typeof shell>

    /**
     * A package folder (package.json, oclif.manifest.json) and its tarball. With `core`, it
     * bundles a stand-in @ndcli/core of that version, as real plugins do, so npm needs no registry.
     */
    async function fixture(name: string, packageJson: object, manifest?: {commands: Record<string, object>}, core?: string): Promise<{folder: string; tarball: string}> {
      const dir = join(fixtures.root, name)
      const folder = join(dir, 'package')
      await mkdir(folder, {recursive: true})
      const bundle = core ? {dependencies: {'@ndcli/core': `^${core}`}, bundleDependencies: ['@ndcli/core']} : {}
      await writeFile(join(folder, 'package.json'), JSON.stringify({name, version: '1.0.0', type: 'module', ...packageJson, ...bundle}))
      if (manifest) {
        const commands = Object.fromEntries(Object.entries(manifest.commands).map(([id, command]) => [id, {id, aliases: [], flags: {}, args: {}, ...command}]))
        await writeFile(join(folder, 'oclif.manifest.json'), JSON.stringify({version: '1.0.0', commands}))
      }
      if (core) {
        await mkdir(join(folder, 'node_modules', '@ndcli', 'core'), {recursive: true})
        await writeFile(join(folder, 'node_modules', '@ndcli', 'core', 'package.json'), JSON.stringify({name: '@ndcli/core', version: core}))
      }
      return {folder, tarball: await tarPackage(dir, name)}
    }
    const plugin = {oclif: {commands: './dist/commands'}}
    let notTarball: string
    let packages: Record<'notPlugin' | 'shadowsAuth' | 'aliasShadowsAuth' | 'unlisted' | 'compatible' | 'otherMajor', {folder: string; tarball: string}>

    before(async () => {
      fixtures = await isolatedDirs()
      packages = {
        notPlugin: await fixture('left-pad-ish', {main: 'index.js'}),
        shadowsAuth: await fixture('acme-auth', plugin, {commands: {'auth:login': {}}}),
        aliasShadowsAuth: await fixture('acme-sso', plugin, {commands: {'sso:login': {aliases: ['auth:login']}}}),
        unlisted: await fixture('acme-explicit', {oclif: {commands: {strategy: 'explicit', target: './dist/index.js'}}}),
        compatible: await fixture('acme-deploy', plugin, {commands: {'deploy:run': {}}}, '0.1.4'),
        otherMajor: await fixture('acme-legacy', plugin, {commands: {'legacy:run': {}}}, '7.2.0'),
      }
      notTarball = join(fixtures.root, 'not-a-tarball.tgz')
      await writeFile(notTarball, 'this is not a tarball\n')
    })
    after(() => fixtures.cleanup())
    beforeEach(async () => {
      dirs = await isolatedDirs()
      ndcli = shell(dirs)
    })
    afterEach(() => dirs.cleanup())

    async function expectNothingInstalled(): Promise<void> {
      expect((await ndcli(['plugins'])).stdout).to.equal('No plugins installed.\n')
      expect(existsSync(join(dirs.env.NDCLI_DATA_DIR!, 'node_modules'))).to.equal(false)
    }

    const refusals: Array<[string, () => string, Record<string, string>, number, RegExp]> = [
      ['a package that is not an oclif plugin', () => `file:${packages.notPlugin.tarball}`, {}, 2, /^Error: left-pad-ish@1\.0\.0 is not an ndcli plugin: its package.json has no "oclif" section/],
      ['a third-party plugin with an auth command', () => `file:${packages.shadowsAuth.tarball}`, {}, 4, /^Error: acme-auth@1\.0\.0 would replace ndcli's "auth login" command; only ndcli and @ndcli\/plugin-auth-token/],
      ['…even when the allow-list names it', () => `file:${packages.shadowsAuth.folder}`, {NDCLI_PLUGINS_ALLOW: 'acme-auth'}, 4, /would replace ndcli's "auth login" command/],
      ['a plugin whose alias is an auth command', () => `file:${packages.aliasShadowsAuth.folder}`, {}, 4, /^Error: acme-sso@1\.0\.0 would replace ndcli's "auth login" command/],
      ['another @ndcli/core major, non-interactive', () => `file:${packages.otherMajor.tarball}`, {}, 2, /^Error: acme-legacy@1\.0\.0 is built for @ndcli\/core 7\.2\.0, but this ndcli has @ndcli\/core 0\.1\.0: its commands may fail; to install it anyway, set NDCLI_PLUGINS_ALLOW=acme-legacy or run 'ndcli config set plugins.allow acme-legacy'\n$/],
      ['commands that cannot be listed, not allowed', () => `file:${packages.unlisted.folder}`, {}, 4, /cannot be listed without running its code .*set NDCLI_PLUGINS_ALLOW=acme-explicit/],
      ['a git URL, not allowed', () => 'https://github.com/acme/ndcli-plugin-x', {}, 4, /^Error: https:\/\/github.com\/acme\/ndcli-plugin-x cannot be checked before installing.*NDCLI_PLUGINS_ALLOW=https:\/\/github.com\/acme\/ndcli-plugin-x/],
      ['a file that is not a tarball', () => `file:${notTarball}`, {}, 2, /^Error: \/.*not-a-tarball\.tgz is not a readable package tarball \(.+\); give a tarball made by npm pack, or the package folder$/m],
      ['a relative file: path', () => 'file:plugins/acme.tgz', {}, 2, /^Error: file:plugins\/acme.tgz is a relative path, which npm would look up in ndcli's data folder; use an absolute one: file:\//],
    ]
    for (const [name, spec, env, exitCode, message] of refusals) {
      it(`refuses ${name} (exit ${exitCode}) before npm runs`, async () => {
        const {stdout, stderr, exitCode: code} = await ndcli(['plugins', 'install', spec()], env)
        expect({stdout, code}).to.deep.equal({stdout: '', code: exitCode})
        expect(stderr).to.match(message)
        expect(stderr.trim().split('\n')).to.have.length(1)
        await expectNothingInstalled()
      })
    }

    it('applies the same rules to plugins link: a folder with an auth command is refused (exit 4), nothing linked', async () => {
      const {stdout, stderr, exitCode} = await ndcli(['plugins', 'link', '--no-install', packages.shadowsAuth.folder])
      expect({stdout, exitCode}).to.deep.equal({stdout: '', exitCode: 4})
      expect(stderr).to.match(/^Error: acme-auth@1\.0\.0 would replace ndcli's "auth login" command/)
      expect(stderr.trim().split('\n')).to.have.length(1)
      await expectNothingInstalled()
    })

    it('links a folder built for another @ndcli/core major only when allowed, with a warning', async () => {
      const refused = await ndcli(['plugins', 'link', '--no-install', packages.otherMajor.folder])
      expect(refused.exitCode).to.equal(2)
      expect(refused.stderr).to.match(/^Error: acme-legacy@1\.0\.0 is built for @ndcli\/core 7\.2\.0.*NDCLI_PLUGINS_ALLOW=acme-legacy/)
      await expectNothingInstalled()
      const allowed = await ndcli(['plugins', 'link', '--no-install', packages.otherMajor.folder], {NDCLI_PLUGINS_ALLOW: 'acme-legacy'})
      expectSuccess(allowed)
      expect(allowed.stderr).to.match(/^Warning: acme-legacy@1\.0\.0 is built for @ndcli\/core 7\.2\.0/)
      expect((await ndcli(['plugins'])).stdout).to.equal(`acme-legacy 1.0.0 (link) ${packages.otherMajor.folder}\n`)
    })

    it('installs a plugin built for this @ndcli/core major without a question', async () => {
      const install = await ndcli(['plugins', 'install', `file:${packages.compatible.tarball}`])
      expectSuccess(install)
      expect(install.stderr).to.not.match(/Warning|Error/)
      expect((await ndcli(['plugins'])).stdout).to.equal('acme-deploy 1.0.0\n')
    })

    it('installs another @ndcli/core major with a warning when NDCLI_PLUGINS_ALLOW names it', async () => {
      const install = await ndcli(['plugins', 'install', `file:${packages.otherMajor.tarball}`], {NDCLI_PLUGINS_ALLOW: 'acme-tools, acme-legacy'})
      expectSuccess(install)
      expect(install.stderr).to.include('Warning: acme-legacy@1.0.0 is built for @ndcli/core 7.2.0, but this ndcli has @ndcli/core 0.1.0: its commands may fail; installing it because NDCLI_PLUGINS_ALLOW or plugins.allow lists it')
      expect((await ndcli(['plugins'])).stdout).to.equal('acme-legacy 1.0.0\n')
    })

    it('plugins.allow in the config allows it too', async () => {
      expectSuccess(await ndcli(['config', 'set', 'plugins.allow', 'acme-legacy,https://github.com/acme/x']))
      expectSuccess(await ndcli(['plugins', 'install', `file:${packages.otherMajor.tarball}`]))
      expect((await ndcli(['plugins'])).stdout).to.match(/^acme-legacy 1\.0\.0\n$/)
    })
  })
})
