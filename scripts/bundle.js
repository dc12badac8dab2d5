#!/usr/bin/env node
/**
 * Bundles with esbuild, after tsc (see docs/benchmarks.md for why and what it saves):
 *
 *   node scripts/bundle.js core    (in packages/core) src/index.ts → dist/runtime.cjs: @ndcli/core
 *                                  with @oclif/core (as `oclif`), got, @inquirer/confirm and
 *                                  cli-table3 in one file, which dist/shared.js (the package's
 *                                  entry point) loads once per process (src/shared-runtime.ts).
 *   node scripts/bundle.js shell   src/commands.ts → dist/commands.js (every shell command, oclif's
 *                                  explicit strategy), src/hooks.ts → dist/hooks.js, and what they
 *                                  import on demand (ON_DEMAND), e.g. dist/plugin-checks.js.
 *                                  What only those bundles use (semver, tar: the plugin checks)
 *                                  is a devDependency: the release would ship it unused.
 *   node scripts/bundle.js plugin  (in packages/plugin-auth-token) src/commands/**.ts →
 *                                  dist/commands/**.js, each command a small entry.
 *
 * The shell and the plugin import @ndcli/core, and @oclif/core through it (an `@oclif/core`
 * module generated here re-exports `oclif` of @ndcli/core), so a run evaluates one copy of
 * each: start-up of an oclif CLI is almost all reading and compiling code (compiling is cached by
 * Node: packages/core/src/compile-cache.ts).
 *
 * Left out of the bundles on purpose:
 *   typescript  oclif requires it only to read a tsconfig in development
 *   open        auth login imports it on demand; it locates its xdg-open script next to its own file
 *   @napi-rs/keyring  native (a prebuilt .node per platform); core imports it only to read or write a session
 */
import {build} from 'esbuild'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {bindsName, namesProperty, parseBundle, walk} from './ast.js'

const target = process.argv[2]
const cwd = process.cwd()
const require = createRequire(join(cwd, 'package.json'))

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  // Not minifyIdentifiers: class and function names stay as written (error names, DEBUG output)
  // without keepNames, whose name-restoring call per function costs start-up time.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
}

// Each entry one self-contained file (no shared chunks): every ESM module a run loads costs a
// resolution and a read, and what entries would share is a few lines. Code the shell imports on demand is an entry of its own (ON_DEMAND below).
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
const ON_DEMAND = {'plugin-checks': 'src/plugins/check-install.ts', 'not-found': 'src/not-found.ts', 'completion-bash': 'src/completion-bash.ts'}

/** Scripts the shell starts as processes of their own (output name → source): the update check, spawned detached by the init hook. */
const SPAWNED = {'update-check': 'src/update-check.ts'}

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

/** The module at `path` under node_modules (as esbuild names importers: either separator). */
function moduleFile(path) {
  return new RegExp(`[/\\\\]${path.split('/').map((part) => part.replaceAll('.', '\\.')).join('[/\\\\]')}$`)
}

/**
 * Start-up costs in dependencies' module-level code, removed in the bundle by exact source
 * edits; the build fails if an edit no longer applies (a dependency changed: measure again).
 * Each is kept because it measured worth it on Node 26 (callgrind, bench/notes.md), and each
 * names the upstream change that would make it unnecessary.
 */
const SOURCE_EDITS = [
  {
    // Building two ICU list formatters as the module loads (got's @sindresorhus/is) loads ICU's
    // list data: ~95 M instructions, 18 % of an `auth token list` run. They only format the
    // message of a failed assertion. Upstream: build them on first use.
    file: moduleFile('@sindresorhus/is/distribution/index.js'),
    find: `const andFormatter = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });
const orFormatter = new Intl.ListFormat('en', { style: 'long', type: 'disjunction' });`,
    replace: `let andListFormat, orListFormat;
const andFormatter = {format: (list) => (andListFormat ??= new Intl.ListFormat('en', { style: 'long', type: 'conjunction' })).format(list)};
const orFormatter = {format: (list) => (orListFormat ??= new Intl.ListFormat('en', { style: 'long', type: 'disjunction' })).format(list)};`,
  },
  {
    // The first localeCompare of a process builds an ICU collator (~65 M instructions, a quarter
    // of `--version`) to order command ids, which are ASCII: code-unit order is the same order.
    // Upstream: oclif could sort ids with a plain comparison.
    file: moduleFile('@oclif/core/lib/config/plugin.js'),
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));',
  },
  {
    // oclif checks Node against an engines range with semver as it loads: compiling semver's
    // range regular expressions is ~30 M instructions (a tenth of `--version`). @ndcli/core's
    // loader checks the major. Upstream: oclif could compare the major, as Node's own check does.
    file: moduleFile('@oclif/core/lib/index.js'),
    find: 'checkCWD();\ncheckNodeVersion();',
    replace: 'checkCWD();',
  },
]

/** The global `ReadableStream`, throughout the runtime, is the injected test of scripts/shims/readable-stream.js. */
const WEB_STREAM_TEST = fileURLToPath(new URL('shims/readable-stream.js', import.meta.url))

/** The injected `ReadableStream` can only answer instanceof: any other use of the global would fail at run time, so it fails the build. */
function onlyInstanceofReadableStream(tree) {
  let tests = 0
  walk(tree, (node, parent) => {
    if (node.type === 'Identifier' && node.name === 'ReadableStream' && !namesProperty(node, parent)) {
      if (parent.type === 'BinaryExpression' && parent.operator === 'instanceof' && parent.right === node) tests++
      // The shim's own binding: `var ReadableStream` and its assignment.
      else if (!bindsName(node, parent)) {
        throw new Error(`the runtime uses the global ReadableStream other than with instanceof, at ${node.start}: scripts/shims/readable-stream.js would break it`)
      }
    }
  })
  if (tests === 0) throw new Error('the runtime no longer tests instanceof ReadableStream: drop scripts/shims/readable-stream.js')
}

const OCLIF_LIB = /[/\\]@oclif[/\\]core[/\\]lib[/\\]/
const GOT_OPTIONS = moduleFile('got/dist/source/core/options.js')

/**
 * Modules that dependencies load as they load, for paths a run rarely takes. As the importer
 * imports one, it resolves (an esbuild alias, not an edit of the importer's text) to a shim whose
 * members load the real module on first use, or to `contents` of its own; the build fails if an
 * importer no longer imports it so. The largest: got loads node:https, node:tls and node:http2 for
 * every request, and loading node:tls starts parsing Node's bundled root certificates on a thread
 * of its own (~150 M instructions, a third of an `auth token list` against an http:// control
 * plane, which needs none of it); they load on the first https:// request or HTTP/2. Upstream: got
 * could load its HTTP/2 client and node:https on the first https request. node:zlib (~10 M) is
 * needed only for a compressed response, node:crypto (~25 M) only for a cached request's key
 * (cacheable-request), node:dns only for got's DNS cache.
 */
const LAZY_IMPORTS = [
  // Used only for https: URLs or `http2: true` (getFallbackRequestFunction, createNativeRequestOptions).
  {importer: GOT_OPTIONS, path: './utils/http2-client.js', names: ['auto', 'globalAgent', 'request', 'Http2Agent']},
  {importer: GOT_OPTIONS, path: 'node:https'},
  // checkServerIdentity is read (not called) by every request's options: a function that loads node:tls when called.
  {importer: GOT_OPTIONS, path: 'node:tls', functions: ['checkServerIdentity']},
  // Http2ServerResponse and constants: only when a response is piped into an HTTP/2 server's.
  {importer: moduleFile('got/dist/source/core/index.js'), path: 'node:http2', names: ['Http2ServerResponse', 'constants']},
  // Both test `typeof zlib.createZstdDecompress` as they load: a function here when this Node has
  // zstd, which is how got itself decides to ask for zstd (process.versions.zstd).
  ...[moduleFile('got/dist/source/core/utils/decompress-response.js'), moduleFile('decompress-response/index.js')].map((importer) => ({
    importer,
    path: 'node:zlib',
    functions: ['createZstdDecompress'],
    present: {createZstdDecompress: 'typeof process.versions.zstd === "string"'},
  })),
  {importer: moduleFile('cacheable-request/dist/index.js'), path: 'node:crypto'},
  // oclif's own modules require these as they load, for help, error boxes, templates in settings
  // and command discovery by pattern, which a run that prints JSON or its version does not use.
  ...['wrap-ansi', 'ejs', 'tinyglobby'].map((path) => ({importer: OCLIF_LIB, path, callable: path === 'wrap-ansi'})),
  // oclif's flag parser reads stdin through readline only for a flag that allows `-` (none of the
  // token commands'); its Performance class marks times only under DEBUG/OCLIF_PERFORMANCE.
  {importer: moduleFile('@oclif/core/lib/parser/parse.js'), path: 'node:readline', functions: ['createInterface']},
  {importer: moduleFile('@oclif/core/lib/performance.js'), path: 'node:perf_hooks', names: ['performance', 'PerformanceObserver']},
  // Config.load asks wsl-utils only whether this is WSL (is-wsl), and wsl-utils loads node:child_process
  // (with dgram and net's socket list) as it loads; oclif runs execSync only to name a Windows shell.
  {importer: moduleFile('@oclif/core/lib/util/os.js'), path: 'node:child_process', functions: ['execSync']},
  {importer: moduleFile('@oclif/core/lib/util/os.js'), path: 'wsl-utils', contents: `exports.isWsl = require('is-wsl').default;
exports.powerShellPath = (...args) => require('wsl-utils').powerShellPath(...args);
`},
  // oclif matches every dependency of the shell against every `oclif.plugins` entry with minimatch
  // as it loads the core plugins, compiling each entry into a regular expression; entries are plain
  // package names: compared as such, and a pattern with any glob syntax is handed to minimatch.
  {importer: moduleFile('@oclif/core/lib/config/plugin-loader.js'), path: 'minimatch', contents: `const glob = /[*?[\\]{}\\\\]|[+!@]\\(|^[!#]/;
exports.minimatch = (name, pattern, options) => (glob.test(pattern) || options ? require('minimatch').minimatch(name, pattern, options) : name === pattern);
`},
  // oclif reads every package.json and manifest of a run (~10 files) with fs/promises: each read
  // is four thread-pool round trips (open, stat, read, close), ~0.3 ms here against ~0.02 ms for
  // readFileSync, and most are read one after another. Upstream: oclif could read them with readFileSync.
  {importer: moduleFile('@oclif/core/lib/util/fs.js'), path: 'node:fs/promises', contents: `const {readFileSync} = require('node:fs');
exports.stat = require('node:fs/promises').stat;
exports.readFile = async (path, options) => readFileSync(path, options);
`},
  // cli-table3 measures every cell and border piece with string-width 4 (after removing colour
  // codes), which runs a 10 KB emoji expression over each, compiled on first use. Printable ASCII,
  // box drawing and the ellipsis are one column each to string-width too: those strings, nearly
  // all of a table, are answered here. Upstream: string-width could skip the expression for them.
  {importer: moduleFile('cli-table3/src/utils.js'), path: 'string-width', contents: `const narrow = /^[\\x20-\\x7e\\u2500-\\u257f\\u2026]*$/;
module.exports = (text) => (typeof text === 'string' && narrow.test(text) ? text.length : require('string-width')(text));
`},
  // Only for got's `dnsCache` option; a request to an IP address looks nothing up.
  {importer: moduleFile('got/dist/source/core/utils/dns-cache.js'), path: 'node:dns'},
  // got names every request with randomUUID() only to label its diagnostics_channel messages (a
  // correlation id, no secret; ndcli subscribes to none), which loaded all of node:crypto for each
  // run: an RFC 9562 version 4 UUID from Math.random instead. Upstream: got could number requests.
  {importer: moduleFile('got/dist/source/core/diagnostics-channel.js'), path: 'node:crypto', contents: `exports.randomUUID = () => {
  let id = '';
  for (let i = 0; i < 16; i++) {
    const byte = Math.floor(Math.random() * 256);
    id += ((i === 6 ? (byte & 0x0f) | 0x40 : i === 8 ? (byte & 0x3f) | 0x80 : byte) + 0x100).toString(16).slice(1);
    if (i === 3 || i === 5 || i === 7 || i === 9) id += '-';
  }
  return id;
};
`},
]

function lazyImports() {
  const used = new Set()
  const paths = new Set(LAZY_IMPORTS.map((entry) => entry.path))
  return {
    name: 'lazy-imports',
    setup(esbuild) {
      esbuild.onResolve({filter: new RegExp(`^(${[...paths].map((path) => path.replaceAll(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`)}, async (args) => {
        // A shim's own require() is of the real module.
        if (args.namespace === 'lazy-imports') return undefined
        const lazy = LAZY_IMPORTS.find((entry) => entry.path === args.path && entry.importer.test(args.importer))
        if (!lazy) return undefined
        used.add(lazy)
        const relativePath = args.path.startsWith('.')
        // Named by a path relative to the package (the bundle names its modules by their paths);
        // one shim per importer, as their members may differ.
        const path = relativePath ? relative(cwd, resolve(args.resolveDir, args.path)) : `${args.path}#${relative(cwd, args.importer)}`
        return {path, namespace: 'lazy-imports', pluginData: {...lazy, resolveDir: args.resolveDir}}
      })
      esbuild.onLoad({filter: /.*/, namespace: 'lazy-imports'}, ({pluginData: lazy}) => {
        if (lazy.contents) return {contents: lazy.contents, resolveDir: lazy.resolveDir, loader: 'js'}
        const real = createRequire(join(lazy.resolveDir, 'importer.js'))(lazy.path)
        const {functions = [], present = {}, names = Object.keys(real).filter((name) => !functions.includes(name))} = lazy
        const load = `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(lazy.path)}));\n`
        if (lazy.callable) {
          // A module that is a function: a function that calls it, with its other members.
          const members = names.map((name) => `Object.defineProperty(module.exports, ${JSON.stringify(name)}, {get: () => load()[${JSON.stringify(name)}], enumerable: true});\n`)
          return {contents: `${load}module.exports = function (...args) { return load().apply(this, args); };\n${members.join('')}`, resolveDir: lazy.resolveDir, loader: 'js'}
        }
        const members = [
          ...names.map((name) => `get ${name}() { return load().${name}; }`),
          ...functions.filter((name) => !present[name]).map((name) => `${name}: (...args) => load().${name}(...args)`),
        ]
        const conditional = Object.entries(present).map(([name, condition]) => `if (${condition}) module.exports.${name} = (...args) => load().${name}(...args);\n`)
        return {contents: `${load}module.exports = {${members.join(', ')}};\n${conditional.join('')}`, resolveDir: lazy.resolveDir, loader: 'js'}
      })
      esbuild.onEnd(() => {
        const missed = LAZY_IMPORTS.filter((entry) => !used.has(entry))
        if (missed.length > 0) throw new Error(`scripts/bundle.js: ${missed.map((entry) => `${entry.importer} no longer imports ${entry.path}`).join(', ')}, as LAZY_IMPORTS expects: measure again`)
      })
    },
  }
}

function sourceEdits() {
  const applied = new Set()
  return {
    name: 'source-edits',
    setup(esbuild) {
      for (const edit of SOURCE_EDITS) {
        esbuild.onLoad({filter: edit.file, namespace: 'file'}, (args) => {
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

/**
 * esbuild's __toESM gives an imported CommonJS module a namespace with one getter per export, built on
 * each import: ~1,000 getters per run for node:fs, node:process, node:http and the like (~2 ms on Node
 * 22 and 26). A builtin's namespace only ever has members read (checked here, or the build fails), so
 * the module itself can be its prototype: the same values, live, with no copy. (`ns.f()`, from an
 * `import * as ns`, calls f with the namespace as `this`, as it did with esbuild's copy.)
 */
function builtinNamespaces(code) {
  const HELPER = 'var __builtinESM=mod=>__create(mod,{default:{value:mod,enumerable:!0}});'
  const out = code.replace('var __toESM=', HELPER + 'var __toESM=').replaceAll('__toESM(require("node:', '__builtinESM(require("node:')
  if (out === code || !out.includes('__builtinESM(require(')) throw new Error("esbuild's __toESM helper changed: see builtinNamespaces() in scripts/bundle.js")
  return out
}

/** The check builtinNamespaces() relies on, on the runtime's tree. */
function onlyMembersOfBuiltinNamespaces(tree) {
  const namespaces = new Set()
  walk(tree, (node) => {
    const value = node.type === 'AssignmentExpression' ? node.right : node.type === 'VariableDeclarator' ? node.init : undefined
    const target = node.type === 'AssignmentExpression' ? node.left : node.id
    if (value?.type === 'CallExpression' && value.callee.name === '__builtinESM' && target.type === 'Identifier') namespaces.add(target.name)
  })
  walk(tree, (node, parent) => {
    if (node.type !== 'Identifier' || !namespaces.has(node.name) || namesProperty(node, parent)) return
    const read = parent.type === 'MemberExpression' && parent.object === node
    if (!read && !bindsName(node, parent)) throw new Error(`the runtime uses the namespace ${node.name} other than by member, at ${node.start}: builtinNamespaces() in scripts/bundle.js would break it`)
  })
}

async function bundleCore() {
  const outfile = 'dist/runtime.cjs'
  const result = await build({...common, format: 'cjs', entryPoints: ['src/index.ts'], outfile, external: ['typescript', '@napi-rs/keyring'], inject: [WEB_STREAM_TEST], plugins: [sourceEdits(), lazyImports()]})
  const code = builtinNamespaces(readFileSync(outfile, 'utf8'))
  writeFileSync(outfile, code)
  const tree = parseBundle(code)
  onlyMembersOfBuiltinNamespaces(tree)
  onlyInstanceofReadableStream(tree)
  // The package's entry point: named exports over the runtime's (ESM needs them spelled out).
  const names = Object.keys(require(resolve(cwd, outfile))).filter((name) => name !== '__esModule')
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
    entryPoints: {commands: 'src/commands.ts', hooks: 'src/hooks.ts', ...ON_DEMAND, ...SPAWNED},
    outdir: 'dist',
    plugins: [...esm.plugins, onDemandEntries()],
  })
  report(result)
}

async function bundlePlugin() {
  const result = await build({...esm, entryPoints: sources('src/commands'), outbase: 'src', outdir: 'dist'})
  report(result)
  // The scan worker (a thread per core for large scans) needs only the token format of
  // @ndcli/core: bundled from its source, not through the whole runtime, so a worker starts in
  // milliseconds. Anything else it imported from @ndcli/core would fail this build.
  // CommonJS: a worker that loads no ESM module skips the ESM loader's start (~5 ms).
  const worker = await build({
    ...common,
    format: 'cjs',
    alias: {'@ndcli/core': resolve(cwd, '../core/src/pat-format.ts')},
    entryPoints: ['src/scan/worker.ts'],
    outfile: 'dist/scan/worker.cjs',
  })
  report(worker)
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
