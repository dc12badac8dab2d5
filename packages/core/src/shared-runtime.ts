/**
 * Loads @ndcli/core's bundled runtime (dist/runtime.cjs: this package and @oclif/core, got,
 * @inquirer/confirm, cli-table3 in one file, built by scripts/bundle.js) for the package's
 * entry point (dist/shared.js), with two start-up savings that no per-command care can give:
 *
 * - One copy per process. The shell and every plugin that is built against a compatible
 *   @ndcli/core (same major, this version or newer) share the first runtime loaded, found on
 *   globalThis, instead of each evaluating its own @oclif/core. A plugin needing a newer
 *   runtime than the shell's loads its own (and works as it always did).
 * - V8's code cache. Compiling the runtime's JavaScript is a third of a run's start-up; with
 *   the cache written at build time (dist/runtime.cache) V8 deserializes instead of compiling.
 *   V8 refuses a cache made by another Node version or with other V8 flags, and then compiles
 *   as usual: the cache is an optimisation, never a condition. Node 20 has no module compile
 *   cache of its own (module.enableCompileCache is Node 22), hence vm.Script.
 *
 * The build writes the cache by running a representative command with
 * NDCLI_WRITE_CODE_CACHE=1 (scripts/code-cache.js): the functions compiled in that run are in it.
 */
import {readFileSync, renameSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

const REGISTRY = Symbol.for('@ndcli/core:runtime')

/** The name the bundle calls instead of `import()`: vm.Script code has no dynamic import of its own without an experimental flag. */
export const DYNAMIC_IMPORT = '__ndcliImport'

/**
 * dist/runtime.cjs is the text of this function (scripts/bundle.js writes it so), compiled as it
 * is read: joining a wrapper around ~0.75 MB here would build a second copy of it, and the
 * young-generation GC that the copy brings on (one more scavenge per run).
 */
export const RUNTIME_HEAD = `(function (exports, require, module, __filename, __dirname, ${DYNAMIC_IMPORT}) {`
export const RUNTIME_TAIL = '\n})'

/** package.json engines.node, ">=20". */
const MINIMUM_NODE_MAJOR = 20

interface Registered {
  version: string
  exports: Record<string, unknown>
}

/** a.b.c → [a, b, c]; a pre-release or build suffix is ignored. */
function parts(version: string): number[] {
  return version.split(/[-+]/)[0]!.split('.').map(Number)
}

/** Whether a runtime of version `offered` serves code built against `wanted`: semver, 0.x minors are majors. */
export function isCompatible(offered: string, wanted: string): boolean {
  const [oMajor = 0, oMinor = 0, oPatch = 0] = parts(offered)
  const [wMajor = 0, wMinor = 0, wPatch = 0] = parts(wanted)
  if (oMajor !== wMajor || (oMajor === 0 && oMinor !== wMinor)) return false
  return oMinor > wMinor || (oMinor === wMinor && oPatch >= wPatch)
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

/** The exports of the runtime at `bundle` (version `version`), or of a compatible one already loaded. */
export function loadSharedRuntime(bundle: URL, version: string): Record<string, unknown> {
  // In place of oclif's check of the engines range (see scripts/bundle.js): same warning, no semver.
  if (Number(process.versions.node.split('.')[0]) < MINIMUM_NODE_MAJOR) {
    process.emitWarning(`Node version must be >=${MINIMUM_NODE_MAJOR} to use this CLI. Current node version: ${process.versions.node}`)
  }

  const registry = globalThis as typeof globalThis & {[REGISTRY]?: Registered}
  const registered = registry[REGISTRY]
  if (registered && isCompatible(registered.version, version)) return registered.exports

  const file = fileURLToPath(bundle)
  const cacheFile = file.replace(/\.cjs$/, '.cache')
  // ASCII (scripts/bundle.js checks): Latin-1 is a copy, where UTF-8 decoding of ~0.75 MB costs
  // ~15 million instructions (~5 % of an `auth token list` run).
  const source = readFileSync(file, 'latin1')
  if (!source.startsWith(RUNTIME_HEAD)) throw new Error(`${file} is not an @ndcli/core runtime bundle: reinstall @ndcli/core`)
  const script = new vm.Script(source, {filename: file, cachedData: readCache(cacheFile)})
  const module = {exports: {} as Record<string, unknown>}
  const dynamicImport = (specifier: string) => import(specifier)
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), dynamicImport)

  if (process.env.NDCLI_WRITE_CODE_CACHE === '1') {
    process.once('exit', () => {
      try {
        writeFileSync(`${cacheFile}.tmp`, script.createCachedData())
        renameSync(`${cacheFile}.tmp`, cacheFile)
      } catch (error) {
        process.stderr.write(`Warning: could not write ${cacheFile}: ${(error as Error).message}\n`)
      }
    })
  }

  if (!registered) registry[REGISTRY] = {version, exports: module.exports}
  return module.exports
}
