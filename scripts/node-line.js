#!/usr/bin/env node
/**
 * node scripts/node-line.js <major> → prints the path of a Node binary of that maintained line,
 * from the registry's `node` package: 26 is the project's pinned Node (devDependencies.node),
 * 22 and 24 are installed once into tmp/node-lines/<version>. CI runs the CLI's suites on each
 * line with it (.ci/run), and `npm run bench` measures start-up on each.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.node

/** The newest release of each maintained line in the registry's `node` package (26: the pinned one). */
export const NODE_LINES = {22: '22.23.3', 24: '24.21.0', 26: pinned}

/** The Node binary of line `major`, installed on first use. */
export function nodeBinary(major) {
  const version = NODE_LINES[major]
  if (!version) throw new Error(`Node ${major} is not a maintained line here: use one of ${Object.keys(NODE_LINES).join(', ')}`)
  if (version === pinned) return join(root, 'node_modules', 'node', 'bin', 'node')
  const prefix = join(root, 'tmp', 'node-lines', version)
  const binary = join(prefix, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(binary)) {
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node@${version}`], {stdio: ['ignore', 'ignore', 'inherit']})
  }
  const reported = execFileSync(binary, ['--version'], {encoding: 'utf8'}).trim()
  if (reported !== `v${version}`) throw new Error(`${binary} reports ${reported}, not v${version}`)
  return binary
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${nodeBinary(process.argv[2])}\n`)
}
