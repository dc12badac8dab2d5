#!/usr/bin/env node
/**
 * Bundles with esbuild, after tsc (see docs/benchmarks.md for why and what it saves):
 *
 *   node scripts/bundle.js core    (in packages/core) src/index.ts → dist/runtime.cjs: @ndcli/core
 *                                  with @oclif/core (as `oclif`), got, @inquirer/confirm and
 *                                  cli-table3 in one file, which dist/shared.js (the package's
 *                                  entry point) loads once per process with V8's code cache
 *                                  (src/shared-runtime.ts).
 *   node scripts/bundle.js shell   src/commands.ts → dist/commands.js (every shell command, oclif's
 *                                  explicit strategy), src/hooks.ts → dist/hooks.js, and what they
 *                                  import on demand (ON_DEMAND), e.g. dist/plugin-checks.js.
 *   node scripts/bundle.js plugin  (in packages/plugin-auth-token) src/commands/**.ts →
 *                                  dist/commands/**.js, each command a small entry.
 *
 * The shell and the plugin import @ndcli/core, and @oclif/core through it (an `@oclif/core`
 * module generated here re-exports `oclif` of @ndcli/core), so a run evaluates one copy of
 * each, already compiled: start-up of an oclif CLI is almost all reading and compiling code.
 *
 * Left out of the bundles on purpose:
 *   typescript  oclif requires it only to read a tsconfig in development
 *   open        auth login imports it on demand; it locates its xdg-open script next to its own file
 */
import {build} from 'esbuild'
import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join, relative, resolve} from 'node:path'

const target = process.argv[2]
const cwd = process.cwd()
const require = createRequire(join(cwd, 'package.json'))

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Not minifyIdentifiers: class and function names stay as written (error names, DEBUG output)
  // without keepNames, whose name-restoring call per function costs start-up time.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
}

// Each entry one self-contained file (no shared chunks): every ESM module a run loads costs a
// resolution, a read and a compile (ESM has no code cache), and what entries would share is a few
// lines. Code the shell imports on demand is an entry of its own (ON_DEMAND below).
const esm = {
  ...common,
  format: 'esm',
  external: ['typescript', 'open', '@ndcli/core'],
  plugins: [oclifThroughCore(), noRequire()],
}

/** The ESM bundles hold only ESM (their CommonJS dependencies are in @ndcli/core's runtime): a require() would fail at run time, so it fails the build. */
function noRequire() {
  return {
    name: 'no-require',
    setup(esbuild) {
      esbuild.onEnd((result) => {
        for (const [file, output] of Object.entries(result.metafile?.outputs ?? {})) {
          if (readFileSync(file, 'utf8').includes('Dynamic require of')) {
            throw new Error(`${file} calls require() (from ${Object.keys(output.inputs).join(', ')}): import it, or add it to @ndcli/core`)
          }
        }
      })
    },
  }
}

/**
 * The shell's modules imported with import(), each bundled as an entry of its own (output name →
 * source). Inlined into the importing entry, their code would run only when imported, but ESM
 * hoists their imports of Node's modules: dist/hooks.js, loaded by every run for the init hook,
 * then loaded zlib, child_process, os and util (whose ESM wrapper loads parseArgs and MIMEType) for
 * the plugin checks (about 2 % of the instructions of `ndcli --version`).
 */
const ON_DEMAND = {'plugin-checks': 'src/plugins/check-install.ts'}

/** import() of a module in ON_DEMAND loads its entry's file; any other relative import() fails the build. */
function onDemandEntries() {
  const outputs = new Map(Object.entries(ON_DEMAND).map(([name, source]) => [resolve(cwd, source), `./${name}.js`]))
  return {
    name: 'on-demand-entries',
    setup(esbuild) {
      esbuild.onResolve({filter: /^\./}, (args) => {
        if (args.kind !== 'dynamic-import') return undefined
        const source = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'))
        const output = outputs.get(source)
        if (!output) return {errors: [{text: `${relative(cwd, source)} is imported on demand: add it to ON_DEMAND in scripts/bundle.js`}]}
        // Every entry is written to dist/, as are the shell's importing entries (dist/hooks.js).
        return {path: output, external: true}
      })
    },
  }
}

/** `@oclif/core` resolves to the `oclif` export of @ndcli/core: the one copy a run loads. */
function oclifThroughCore() {
  const names = Object.keys(require('@oclif/core')).filter((name) => name !== 'default' && name !== '__esModule')
  return {
    name: 'oclif-through-ndcli-core',
    setup(esbuild) {
      esbuild.onResolve({filter: /^@oclif\/core$/}, () => ({path: '@oclif/core', namespace: 'oclif-through-ndcli-core'}))
      esbuild.onLoad({filter: /.*/, namespace: 'oclif-through-ndcli-core'}, () => ({
        contents: `import {oclif} from '@ndcli/core';\nexport const {${names.join(', ')}} = oclif;\n`,
        loader: 'js',
        resolveDir: cwd,
      }))
    },
  }
}

/**
 * Start-up costs in dependencies' module-level code, removed in the bundle by exact source
 * edits; the build fails if an edit no longer applies (a dependency changed: measure again).
 */
const SOURCE_EDITS = [
  {
    // http2-wrapper builds a TLS socket as it loads (a secure context with every root certificate:
    // ~20 ms of a run), and got imports it as it loads; ndcli never sets got's `http2` option, the
    // only path that uses it. It is loaded (bundled, not evaluated until then) on first use.
    file: /[/\\]got[/\\]dist[/\\]source[/\\]core[/\\]options\.js$/,
    find: "import http2wrapper from 'http2-wrapper';",
    replace: "const http2wrapper = {get auto() { return require('http2-wrapper').auto }, get globalAgent() { return require('http2-wrapper').globalAgent }};",
  },
  {
    // Building two ICU list formatters as the module loads is ~10 ms of every request-making run;
    // they only format the message of a failed assertion.
    file: /[/\\]@sindresorhus[/\\]is[/\\]distribution[/\\]index\.js$/,
    find: `const andFormatter = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });
const orFormatter = new Intl.ListFormat('en', { style: 'long', type: 'disjunction' });`,
    replace: `let andListFormat, orListFormat;
const andFormatter = {format: (list) => (andListFormat ??= new Intl.ListFormat('en', { style: 'long', type: 'conjunction' })).format(list)};
const orFormatter = {format: (list) => (orListFormat ??= new Intl.ListFormat('en', { style: 'long', type: 'disjunction' })).format(list)};`,
  },
  {
    // The first localeCompare of a process builds an ICU collator (~8 ms of every run) to order
    // command ids, which are ASCII: code-unit order is the same order.
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]config[/\\]plugin\.js$/,
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));',
  },
  {
    // oclif checks Node against an engines range with semver as it loads: compiling semver's
    // range regular expressions is ~7 ms of every run. @ndcli/core's loader checks the major.
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]index\.js$/,
    find: 'checkCWD();\ncheckNodeVersion();',
    replace: 'checkCWD();',
  },
  {
    // The runtime is read as Latin-1 (src/shared-runtime.ts), so it must be ASCII; esbuild escapes
    // non-ASCII characters except in regular expression literals, and ansis has one: CSI (U+009B).
    file: /[/\\]ansis[/\\]index\.js$/,
    find: '/[\u001b\u009b][[()#;?]*',
    replace: '/[\\x1b\\x9b][[()#;?]*',
  },
  {
    // oclif reads every package.json and manifest of a run (~10 files) with fs/promises: each read
    // is four thread-pool round trips (open, stat, read, close), ~0.3 ms here against ~0.02 ms for
    // readFileSync, and most are read one after another. Still returned as a promise.
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]util[/\\]fs\.js$/,
    find: "const contents = await (0, promises_1.readFile)(path, 'utf8');",
    replace: "const contents = (0, node_fs_1.readFileSync)(path, 'utf8');",
  },
  // oclif requires two Node built-ins as it loads that a run rarely uses: readline (a flag read
  // from stdin) and perf_hooks (OCLIF_PERFORMANCE). Each is loaded on the first use of one of its
  // properties instead. (child_process is left: oclif's WSL detection loads it on every run.)
  ...[
    ['parser[/\\\\]parse', 'node_readline_1', 'node:readline'],
    ['performance', 'node_perf_hooks_1', 'node:perf_hooks'],
  ].map(([file, name, builtin]) => ({
    file: new RegExp(`[/\\\\]@oclif[/\\\\]core[/\\\\]lib[/\\\\]${file}\\.js$`),
    find: `const ${name} = require("${builtin}");`,
    replace: `const ${name} = new Proxy({}, {get: (_, key) => require("${builtin}")[key]});`,
  })),
]

function sourceEdits() {
  const applied = new Set()
  return {
    name: 'source-edits',
    setup(esbuild) {
      for (const edit of SOURCE_EDITS) {
        esbuild.onLoad({filter: edit.file}, (args) => {
          const source = readFileSync(args.path, 'utf8')
          if (!source.includes(edit.find)) throw new Error(`${args.path} no longer contains the code scripts/bundle.js edits:\n${edit.find}`)
          applied.add(edit)
          return {contents: source.replace(edit.find, edit.replace), loader: 'js'}
        })
      }
      esbuild.onEnd(() => {
        const missed = SOURCE_EDITS.filter((edit) => !applied.has(edit))
        if (missed.length > 0) throw new Error(`scripts/bundle.js: no module matched ${missed.map((edit) => edit.file).join(', ')}`)
      })
    },
  }
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

async function bundleCore() {
  const outfile = 'dist/runtime.cjs'
  const result = await build({...common, format: 'cjs', entryPoints: ['src/index.ts'], outfile, external: ['typescript'], plugins: [sourceEdits()]})
  // vm.Script code (src/shared-runtime.ts) cannot call import() without an experimental flag:
  // the bundle's dynamic imports (oclif loading plugins' ESM files) call the loader's function.
  const {DYNAMIC_IMPORT, RUNTIME_HEAD, RUNTIME_TAIL} = await import(resolve(cwd, 'dist/shared-runtime.js'))
  let calls = 0
  const code = readFileSync(outfile, 'utf8').replace(/(?<![\w$.'"`])import\((?!\))/g, () => (calls++, `${DYNAMIC_IMPORT}(`))
  if (calls === 0) throw new Error(`${outfile}: found no import() to route through ${DYNAMIC_IMPORT}; did the bundle change shape?`)
  const nonAscii = /[^\p{ASCII}]/u.exec(code)
  if (nonAscii) {
    const around = JSON.stringify(code.slice(Math.max(0, nonAscii.index - 40), nonAscii.index + 20))
    throw new Error(`${outfile} must be ASCII (the loader reads it as Latin-1): escape the character in ${around} with a SOURCE_EDITS entry`)
  }
  writeFileSync(outfile, code)
  rmSync('dist/runtime.cache', {force: true}) // made for the previous bundle: scripts/code-cache.js writes it anew

  // The package's entry point: named exports over the runtime's (ESM needs them spelled out).
  const names = Object.keys(require(resolve(cwd, outfile))).filter((name) => name !== '__esModule')
  // What the loader compiles: the module as the text of its wrapper function (see RUNTIME_HEAD).
  writeFileSync(outfile, RUNTIME_HEAD + code + RUNTIME_TAIL)
  const {version} = JSON.parse(readFileSync('package.json', 'utf8'))
  // One file with the loader inside (one ESM module fewer per run).
  await build({
    ...common,
    format: 'esm',
    stdin: {
      contents:
        `import {loadSharedRuntime} from './shared-runtime.js';\n` +
        `const runtime = loadSharedRuntime(new URL('./runtime.cjs', import.meta.url), ${JSON.stringify(version)});\n` +
        `export const {${names.join(', ')}} = runtime;\n`,
      resolveDir: resolve(cwd, 'dist'),
      sourcefile: 'shared.js',
    },
    banner: {js: "// Generated by scripts/bundle.js: @ndcli/core's entry point, the bundled runtime (see src/shared-runtime.ts)."},
    outfile: 'dist/shared.js',
    allowOverwrite: true,
  })
  report(result)
}

async function bundleShell() {
  // The explicit command map must name every command file, or a command would silently vanish.
  const listed = readFileSync('src/commands.ts', 'utf8')
  const missing = sources('src/commands').map(commandId).filter((id) => !listed.includes(`'${id}':`))
  if (missing.length > 0) throw new Error(`src/commands.ts does not list ${missing.join(', ')} in COMMANDS`)
  const result = await build({
    ...esm,
    entryPoints: {commands: 'src/commands.ts', hooks: 'src/hooks.ts', ...ON_DEMAND},
    outdir: 'dist',
    plugins: [...esm.plugins, onDemandEntries()],
  })
  report(result)
}

async function bundlePlugin() {
  const result = await build({...esm, entryPoints: sources('src/commands'), outbase: 'src', outdir: 'dist'})
  report(result)
}

function report(result) {
  const outputs = Object.entries(result.metafile.outputs)
  const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0)
  process.stderr.write(`bundled ${Object.keys(result.metafile.inputs).length} modules into ${outputs.length} files (${Math.round(bytes / 1024)} KiB) in ${relative(resolve(cwd, '..', '..'), cwd) || '.'}\n`)
}

if (target === 'core') await bundleCore()
else if (target === 'shell') await bundleShell()
else if (target === 'plugin') await bundlePlugin()
else throw new Error('usage: node scripts/bundle.js core|shell|plugin')
