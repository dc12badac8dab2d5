/**
 * Loads @ndcli/core's bundled runtime (dist/runtime.cjs: this package and @oclif/core, got,
 * @inquirer/confirm, cli-table3 in one file, built by scripts/bundle.js) for the package's entry
 * point (dist/shared.js), once per process: the shell and every plugin that is built against a
 * compatible @ndcli/core (same major, this version or newer) share the first runtime loaded,
 * found on globalThis, instead of each evaluating its own @oclif/core. A plugin needing a newer
 * runtime than the shell's loads its own (and works as it always did).
 *
 * Compiling it is cached by Node (src/compile-cache.ts, turned on by the CLI's bin script).
 */
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

const REGISTRY = Symbol.for('@ndcli/core:runtime')

/** package.json engines.node, ">=22": checked here by major, in place of oclif's semver check (scripts/bundle.js). */
const MINIMUM_NODE_MAJOR = 22

interface Registered {
  version: string
  exports: Record<string, unknown>
}

/** a.b.c → [a, b, c]; a pre-release or build suffix is ignored. */
function parts(version: string): number[] {
  return version.split(/[-+]/)[0]!.split('.').map(Number)
}

/**
 * Whether a runtime of version `offered` serves code built against `wanted`: semver, 0.x minors are majors.
 * By hand, not with the semver package: this runs on every start-up, and loading semver compiles
 * its regular expressions (~30 M instructions, scripts/bundle.js).
 */
export function isCompatible(offered: string, wanted: string): boolean {
  const [oMajor = 0, oMinor = 0, oPatch = 0] = parts(offered)
  const [wMajor = 0, wMinor = 0, wPatch = 0] = parts(wanted)
  if (oMajor !== wMajor || (oMajor === 0 && oMinor !== wMinor)) return false
  return oMinor > wMinor || (oMinor === wMinor && oPatch >= wPatch)
}

/** The exports of the runtime at `bundle` (version `version`), or of a compatible one already loaded. */
export function loadSharedRuntime(bundle: URL, version: string): Record<string, unknown> {
  if (Number(process.versions.node.split('.')[0]) < MINIMUM_NODE_MAJOR) {
    process.emitWarning(`Node version must be >=${MINIMUM_NODE_MAJOR} to use this CLI. Current node version: ${process.versions.node}`)
  }
  const registry = globalThis as typeof globalThis & {[REGISTRY]?: Registered}
  const registered = registry[REGISTRY]
  if (registered && isCompatible(registered.version, version)) return registered.exports
  const file = fileURLToPath(bundle)
  const exports = createRequire(file)(file) as Record<string, unknown>
  if (!registered) registry[REGISTRY] = {version, exports}
  return exports
}
