import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {cacheDir} from '../src/compile-cache.js'

const COMPILE_CACHE = pathToFileURL(fileURLToPath(new URL('../dist/compile-cache.js', import.meta.url))).href
const RUNTIME = pathToFileURL(fileURLToPath(new URL('../dist/shared.js', import.meta.url))).href

/** Runs a module in a Node of its own (the cache is per process) that enables the cache and loads @ndcli/core; what it printed. */
function runWithCache(env: Record<string, string | undefined>, prelude = ''): {directory: string | null; loaded: boolean} {
  const script = `${prelude}
    const {enableCompileCache} = await import(${JSON.stringify(COMPILE_CACHE)})
    const directory = enableCompileCache('ndcli') ?? null
    const core = await import(${JSON.stringify(RUNTIME)})
    console.log(JSON.stringify({directory, loaded: typeof core.NdCommand === 'function'}))`
  const childEnv = {...process.env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, ...env}
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {env: childEnv, encoding: 'utf8'})) as {directory: string | null; loaded: boolean}
}

describe('compile cache', () => {
  describe('cacheDir(bin) is oclif\'s cache dir', () => {
    it('<BIN>_CACHE_DIR first', () => {
      expect(cacheDir('ndcli', {NDCLI_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h'}, 'linux')).to.equal('/c')
    })
    it('XDG_CACHE_HOME, else ~/.cache on Linux', () => {
      expect(cacheDir('ndcli', {XDG_CACHE_HOME: '/x', HOME: '/h'}, 'linux')).to.equal('/x/ndcli')
      expect(cacheDir('ndcli', {HOME: '/h'}, 'linux')).to.equal('/h/.cache/ndcli')
    })
    it('~/Library/Caches on macOS', () => {
      expect(cacheDir('ndcli', {HOME: '/Users/a', XDG_CACHE_HOME: '/x'}, 'darwin')).to.equal('/Users/a/Library/Caches/ndcli')
    })
    it('LOCALAPPDATA on Windows', () => {
      expect(cacheDir('ndcli', {HOME: 'C:\\Users\\a', LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local'}, 'win32')).to.equal(join('C:\\Users\\a\\AppData\\Local', 'ndcli'))
    })
  })

  describe('in a process of its own', function () {
    this.timeout(20_000)
    let home: string
    beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'ndcli-compile-cache-'))))
    afterEach(() => rmSync(home, {recursive: true, force: true}))

    it('writes the compiled runtime into <cache dir>/compile-cache, and a second run reads it', () => {
      const cache = join(home, 'cache')
      const first = runWithCache({NDCLI_CACHE_DIR: cache})
      expect(first).to.deep.equal({directory: join(cache, 'compile-cache'), loaded: true})
      // Node keeps one folder per Node version and V8 flags, with an entry per module compiled.
      const [versioned, ...others] = readdirSync(join(cache, 'compile-cache'))
      expect(others).to.deep.equal([])
      expect(versioned).to.include(process.version)
      const entries = readdirSync(join(cache, 'compile-cache', versioned!))
      expect(entries.length).to.be.at.least(2)
      expect(runWithCache({NDCLI_CACHE_DIR: cache})).to.deep.equal(first)
      expect(readdirSync(join(cache, 'compile-cache', versioned!)).sort()).to.deep.equal(entries.sort())
    })

    it('runs uncached, and still runs, when the cache dir cannot be created', () => {
      const file = join(home, 'a-file')
      writeFileSync(file, '')
      expect(runWithCache({NDCLI_CACHE_DIR: join(file, 'cache')})).to.deep.equal({directory: null, loaded: true})
    })

    it('runs uncached on a Node without a compile cache (20: unsupported, but no crash)', () => {
      const withoutCache = "const {default: module} = await import('node:module'); delete module.enableCompileCache; delete module.constants"
      expect(runWithCache({NDCLI_CACHE_DIR: join(home, 'cache')}, withoutCache)).to.deep.equal({directory: null, loaded: true})
    })

    it('leaves NODE_DISABLE_COMPILE_CACHE its meaning', () => {
      const cache = join(home, 'cache')
      expect(runWithCache({NDCLI_CACHE_DIR: cache, NODE_DISABLE_COMPILE_CACHE: '1'})).to.deep.equal({directory: null, loaded: true})
    })
  })
})
