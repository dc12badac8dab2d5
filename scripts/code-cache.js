#!/usr/bin/env node
/**
 * Writes @ndcli/core's V8 code cache (dist/runtime.cache beside dist/runtime.cjs; see
 * packages/core/src/shared-runtime.ts) by running the shell's most common CI command,
 * `ndcli auth token list -f json` under NDCLI_TOKEN, against a stand-in answering `[]`:
 * the cache holds the functions that run compiled, which covers start-up, the plugin, the
 * HTTP client and rendering. Run by `npm run build` after the shell is bundled.
 */
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const cache = join(dirname(require.resolve('@ndcli/core')), 'runtime.cache')
const {generatePat} = await import('@ndcli/core/pat')

const server = createServer((request, response) => {
  response.setHeader('content-type', 'application/json')
  response.end(request.url === '/api/v1/auth/tokens' ? '[]' : '{"error":{"code":"not_found","message":"Not found."}}')
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const home = mkdtempSync(join(tmpdir(), 'ndcli-code-cache-'))
try {
  rmSync(cache, {force: true})
  // Asynchronous: the stand-in above answers from this process while the child runs.
  const result = await new Promise((resolve) => {
    const child = execFile(process.execPath, [join(root, 'bin', 'run.js'), 'auth', 'token', 'list', '-f', 'json'], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      NDCLI_CONFIG_DIR: join(home, 'config'),
      NDCLI_DATA_DIR: join(home, 'data'),
      NDCLI_API_URL: `http://127.0.0.1:${server.address().port}`,
      NDCLI_TOKEN: generatePat(),
      NDCLI_WRITE_CODE_CACHE: '1',
    },
    encoding: 'utf8',
    timeout: 60_000,
  }, (error, stdout, stderr) => resolve({status: child.exitCode, stdout, stderr}))
  })
  if (result.status !== 0 || result.stdout.trim() !== '[]') throw new Error(`the cache run failed (${result.status}): ${result.stderr}`)
  if (!existsSync(cache)) throw new Error(`${cache} was not written`)
  process.stderr.write(`wrote ${cache}\n`)
} finally {
  server.close()
  rmSync(home, {recursive: true, force: true})
}
