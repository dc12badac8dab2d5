#!/usr/bin/env node
/**
 * Bundles the runtime with esbuild, after tsc (see docs/benchmarks.md for why):
 *
 *   node scripts/bundle.js shell   three entry points over shared chunks (dist/chunks/):
 *                                  src/runtime.ts → dist/runtime.js (@oclif/core, the init hook),
 *                                  src/commands.ts → dist/commands.js (every shell command),
 *                                  src/hooks.ts → dist/hooks.js (prerun, command_not_found).
 *   node scripts/bundle.js plugin  (in packages/plugin-auth-token) src/commands/**.ts →
 *                                  dist/commands/**.js, each command a small entry over shared
 *                                  chunks (dist/chunks/) that hold @ndcli/core and @oclif/core.
 *
 * Start-up of an oclif CLI is almost all Node's module loader resolving, reading and compiling
 * ~160 files of @oclif/core and its dependencies; one file is read and compiled much faster.
 * What is only needed on some paths (got, @inquirer/prompts) is imported dynamically in
 * the sources, so esbuild puts it in a chunk of its own that only those paths load.
 *
 * Left out of the bundles on purpose:
 *   typescript  oclif requires it only to read a tsconfig in development
 *   open        auth login imports it on demand; it locates its xdg-open script next to its own file
 */
import {build} from 'esbuild'
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {join, relative, resolve} from 'node:path'

const target = process.argv[2]
const cwd = process.cwd()

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  minify: true,
  // Error and command class names stay readable in messages and DEBUG output.
  keepNames: true,
  external: ['typescript', 'open'],
  // CommonJS dependencies (all of @oclif/core) call require() for Node's built-in modules.
  banner: {js: "import {createRequire as __ndcliCreateRequire} from 'node:module';const require=__ndcliCreateRequire(import.meta.url);"},
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  metafile: true,
}

/** Every .ts file under dir, as paths relative to cwd. */
function sources(dir) {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(cwd, join(entry.parentPath ?? entry.path, entry.name)))
}

/** src/commands/org/list.ts → org:list, as oclif's pattern strategy names it. */
function commandId(file) {
  return relative('src/commands', file).replace(/\.ts$/, '').replace(/\/index$/, '').split('/').join(':')
}

async function bundleShell() {
  // The explicit command map must name every command file, or a command would silently vanish.
  const listed = readFileSync('src/commands.ts', 'utf8')
  const missing = sources('src/commands').map(commandId).filter((id) => !listed.includes(`'${id}':`))
  if (missing.length > 0) throw new Error(`src/commands.ts does not list ${missing.join(', ')} in COMMANDS`)
  rmSync('dist/chunks', {recursive: true, force: true})
  const result = await build({...common, entryPoints: {runtime: 'src/runtime.ts', commands: 'src/commands.ts', hooks: 'src/hooks.ts'}, outdir: 'dist'})
  report(result)
}

async function bundlePlugin() {
  rmSync('dist/chunks', {recursive: true, force: true})
  const result = await build({...common, entryPoints: sources('src/commands'), outbase: 'src', outdir: 'dist'})
  report(result)
}

function report(result) {
  const outputs = Object.entries(result.metafile.outputs)
  const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0)
  process.stderr.write(`bundled ${Object.keys(result.metafile.inputs).length} modules into ${outputs.length} files (${Math.round(bytes / 1024)} KiB) in ${relative(resolve(cwd, '..', '..'), cwd) || '.'}\n`)
}

if (target === 'shell') await bundleShell()
else if (target === 'plugin') await bundlePlugin()
else throw new Error('usage: node scripts/bundle.js shell|plugin')
