#!/usr/bin/env node
/**
 * npm run pack:release → dist/ndcli-<version>-<os>-<arch>.tar.gz: the shell with
 * every production dependency (including @ndcli/core and the core plugins)
 * inside, so a CI job can extract it and run `ndcli/bin/ndcli`, or
 * `npm install -g` it, with no registry access. Only Node >= 20 is needed.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {arch, platform} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const {version} = rootPackage
const work = join(root, 'tmp', 'release')
const stage = join(work, 'ndcli')
const packs = join(work, 'packs')
const output = join(root, 'dist', `ndcli-${version}-${platform()}-${arch()}.tar.gz`)

const run = (command, args, cwd = root) => execFileSync(command, args, {cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8'})

for (const file of ['dist/commands', 'oclif.manifest.json', 'packages/core/dist', 'packages/plugin-auth-token/oclif.manifest.json']) {
  if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`)
}

rmSync(work, {recursive: true, force: true})
mkdirSync(packs, {recursive: true})

// The workspace packages, packed as npm would publish them.
const workspaces = ['@ndcli/core', '@ndcli/plugin-auth-token']
const tarballs = Object.fromEntries(
  workspaces.map((name) => {
    const file = run('npm', ['pack', '--silent', '-w', name, '--pack-destination', packs]).trim().split('\n').pop()
    return [name, join(packs, file)]
  }),
)

// The shell as published, with file: references to those tarballs for the install step.
mkdirSync(stage, {recursive: true})
for (const entry of ['bin', 'dist', 'oclif.manifest.json', 'README.md', 'LICENSE']) {
  if (existsSync(join(root, entry))) cpSync(join(root, entry), join(stage, entry), {recursive: true, filter: (src) => !src.endsWith('.tar.gz')})
}
rmSync(join(stage, 'bin', 'dev.js'), {force: true})
writeFileSync(join(stage, 'bin', 'ndcli'), '#!/usr/bin/env sh\n# Entry point of the release tarball: ndcli/bin/ndcli\nexec node "$(dirname "$0")/run.js" "$@"\n')
chmodSync(join(stage, 'bin', 'ndcli'), 0o755)

const dependencies = {...rootPackage.dependencies}
for (const name of workspaces) dependencies[name] = `file:${tarballs[name]}`
const released = {
  name: rootPackage.name,
  version,
  description: rootPackage.description,
  type: 'module',
  license: rootPackage.license,
  bin: {ndcli: './bin/run.js'},
  engines: rootPackage.engines,
  oclif: rootPackage.oclif,
  dependencies,
}
writeFileSync(join(stage, 'package.json'), JSON.stringify(released, null, 2) + '\n')
run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--install-links'], stage)

// Pin the installed versions and bundle every dependency, so installing the tarball fetches nothing.
for (const name of workspaces) {
  dependencies[name] = JSON.parse(readFileSync(join(stage, 'node_modules', name, 'package.json'), 'utf8')).version
}
writeFileSync(join(stage, 'package.json'), JSON.stringify({...released, dependencies, bundleDependencies: Object.keys(dependencies)}, null, 2) + '\n')

mkdirSync(dirname(output), {recursive: true})
run('tar', ['-czf', output, '-C', work, 'ndcli'])
rmSync(work, {recursive: true, force: true})
const modules = readdirSync(join(root, 'node_modules')).length
process.stdout.write(`${output}\n`)
process.stderr.write(`packed ndcli ${version} for ${platform()}-${arch()} (${modules} top-level modules in the workspace)\n`)
