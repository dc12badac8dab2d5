#!/usr/bin/env node
/**
 * prepack/postpack helper for a plugin package of this workspace, so that `npm pack`
 * in the plugin's folder makes a tarball that installs with no registry:
 *
 *   bundle-dependencies.js prepare   copy the production dependency closure of the
 *                                    package's bundleDependencies into <package>/node_modules
 *   bundle-dependencies.js clean     remove that folder again
 *
 * Why copy: npm pack bundles only what sits in the package's own node_modules, but npm
 * workspaces hoist every dependency to the root. The closure copied is exactly what the
 * workspace resolved (package-lock.json), laid out as in the root's node_modules so that
 * Node resolves every import inside the bundle as it does in the workspace. Workspace
 * packages (@ndcli/core) are copied as npm would publish them: package.json and "files".
 */
import {cpSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, isAbsolute, join, relative, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
const packageDir = process.cwd()
const bundleDir = join(packageDir, 'node_modules')
// Marks a node_modules this script created, so `clean` never deletes one it did not make.
const marker = join(bundleDir, '.bundled-by-ndcli')

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))
const isInside = (child, parent) => {
  const rel = relative(parent, child)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/** Node's lookup: <dir>/node_modules/<name>, then each parent directory's. */
function locate(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (candidate.startsWith(bundleDir + sep)) continue
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/** Where a package found at `found` goes in the bundle; workspace packages go under their name. */
function destinationOf(found, realDir, placed) {
  const fromRoot = relative(workspaceRoot, realDir)
  if (fromRoot.split(sep)[0] === 'node_modules') return join(packageDir, fromRoot)
  for (const [workspacePackage, destination] of placed) {
    if (isInside(realDir, workspacePackage)) return join(destination, relative(workspacePackage, realDir))
  }
  if (lstatSync(found).isSymbolicLink()) return join(bundleDir, relative(join(workspaceRoot, 'node_modules'), found))
  throw new Error(`cannot place ${found} in the bundle`)
}

function copyPackage(realDir, destination, workspacePackage) {
  mkdirSync(destination, {recursive: true})
  if (workspacePackage) {
    const {files = []} = readJson(join(realDir, 'package.json'))
    for (const entry of ['package.json', 'README.md', 'LICENSE', ...files]) {
      if (existsSync(join(realDir, entry))) cpSync(join(realDir, entry), join(destination, entry), {recursive: true, dereference: true})
    }
    return
  }
  // Nested node_modules are copied one by one, only when something in the closure needs them.
  const nested = join(realDir, 'node_modules')
  cpSync(realDir, destination, {recursive: true, dereference: true, filter: (source) => source !== nested})
}

function prepare() {
  const pjson = readJson(join(packageDir, 'package.json'))
  const roots = pjson.bundleDependencies ?? pjson.bundledDependencies ?? []
  if (roots.length === 0) throw new Error('package.json lists no bundleDependencies')
  if (existsSync(bundleDir)) throw new Error(`${bundleDir} already exists: remove it, then pack again`)
  mkdirSync(bundleDir, {recursive: true})
  writeFileSync(marker, 'created by scripts/bundle-dependencies.js; removed after npm pack\n')

  const placed = new Map() // workspace package real dir → its folder in the bundle
  const copied = new Set()
  const queue = roots.map((name) => ({name, from: packageDir, optional: false}))
  while (queue.length > 0) {
    const {name, from, optional} = queue.shift()
    const found = locate(name, from)
    if (!found) {
      if (optional) continue
      throw new Error(`${name} (needed by ${from}) is not installed: run npm install in ${workspaceRoot}`)
    }
    const realDir = realpathSync(found)
    if (copied.has(realDir)) continue
    copied.add(realDir)
    const workspacePackage = !isInside(realDir, join(workspaceRoot, 'node_modules'))
    const destination = destinationOf(found, realDir, placed)
    if (workspacePackage) placed.set(realDir, destination)
    copyPackage(realDir, destination, workspacePackage)

    const manifest = readJson(join(realDir, 'package.json'))
    const optionalPeers = manifest.peerDependenciesMeta ?? {}
    const needs = [
      ...Object.keys(manifest.dependencies ?? {}).map((dep) => ({name: dep, optional: false})),
      ...Object.keys(manifest.optionalDependencies ?? {}).map((dep) => ({name: dep, optional: true})),
      ...Object.keys(manifest.peerDependencies ?? {}).map((dep) => ({name: dep, optional: Boolean(optionalPeers[dep]?.optional)})),
    ]
    for (const need of needs) queue.push({...need, from: realDir})
  }
  process.stderr.write(`bundled ${copied.size} packages into ${relative(process.cwd(), bundleDir) || bundleDir}\n`)
}

function clean() {
  if (existsSync(marker)) rmSync(bundleDir, {recursive: true, force: true})
}

const action = process.argv[2]
if (action === 'prepare') prepare()
else if (action === 'clean') clean()
else {
  process.stderr.write('usage: bundle-dependencies.js prepare|clean (run in the package folder)\n')
  process.exit(2)
}
