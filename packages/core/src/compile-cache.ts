/**
 * Node's own compile cache for a CLI's start-up: start-up of an oclif CLI is mostly compiling
 * JavaScript, and with the cache each run of the same Node deserializes what an earlier run
 * compiled, for every module it loads (CommonJS and ESM alike). The bin script calls this before
 * it imports anything large. NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE keep their meaning.
 */
import module from 'node:module'
import {homedir} from 'node:os'
import {join} from 'node:path'

/** oclif's Config#cacheDir for a CLI, known before oclif is loaded: <BIN>_CACHE_DIR, then the platform's cache folder. */
export function cacheDir(bin: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const scoped = env[`${bin.toUpperCase().replaceAll('-', '_')}_CACHE_DIR`]
  if (scoped) return scoped
  const home = env.HOME || homedir()
  if (platform === 'darwin') return join(home, 'Library', 'Caches', bin)
  const base = env.XDG_CACHE_HOME || (platform === 'win32' && env.LOCALAPPDATA) || join(home, '.cache')
  return join(base, bin)
}

/**
 * Turns the cache on in `<cache dir>/compile-cache`; the directory it uses, or undefined when it
 * runs without one. A cache dir that cannot be created or written leaves the run uncompiled from
 * cache, nothing worse: there is no fallback to a shared temporary folder, where another user
 * could leave compiled code for this one to run.
 */
export function enableCompileCache(bin: string): string | undefined {
  // Node 20 has neither: it runs uncached, and shared-runtime.ts warns that it is not supported.
  if (!module.enableCompileCache) return undefined
  const result = module.enableCompileCache(join(cacheDir(bin), 'compile-cache'))
  const {ENABLED, ALREADY_ENABLED} = module.constants.compileCacheStatus
  return result.status === ENABLED || result.status === ALREADY_ENABLED ? result.directory : undefined
}
