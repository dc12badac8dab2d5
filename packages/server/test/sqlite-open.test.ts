/**
 * Two processes opening one new SQLite database at the same moment, as two instances started
 * together do: both switch it to WAL, and before the store retried, SQLite refused one of them
 * (SQLITE_BUSY, "database is locked") in about 1 pair in 6. Real processes, a real file.
 */
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {ensureBuilt} from './build.js'

const DRIVER = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'db', 'sqlite.js')).href
const OPEN = `const {openSqliteDriver} = await import(${JSON.stringify(DRIVER)}); await openSqliteDriver(process.argv[1]).close()`

function open(dataDir: string): Promise<{code: number | null; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', OPEN, dataDir], {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stderr}))
  })
}

describe('SQLite store opened by two processes at once', function () {
  this.timeout(120_000)
  before(ensureBuilt)

  it('opens in both, 20 times over, each time on a new database', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ndcli-sqlite-open-'))
    try {
      for (let round = 0; round < 20; round++) {
        const dataDir = join(root, String(round))
        const results = await Promise.all([open(dataDir), open(dataDir)])
        expect(results, `round ${round}`).to.deep.equal([{code: 0, stderr: ''}, {code: 0, stderr: ''}])
      }
    } finally {
      await rm(root, {recursive: true, force: true})
    }
  })
})
