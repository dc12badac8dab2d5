/**
 * Every test that touches storage runs once per back end: SQLite always,
 * PostgreSQL when NDCLI_TEST_DATABASE_URL is set. Each TestDatabase is fresh:
 * a new SQLite directory, or a new PostgreSQL schema selected through the
 * connection string's search_path (and dropped afterwards), so tests never
 * see each other's rows and need no CREATE DATABASE.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'
import type {Dialect, StoreOptions} from '../src/db/index.js'
import {SQLITE_FILE_NAME} from '../src/db/sqlite.js'

export type Backend = Dialect

const POSTGRES_URL = process.env.NDCLI_TEST_DATABASE_URL || undefined

// CI must exercise PostgreSQL: a missing URL there is a broken pipeline, not a reason to skip.
if (process.env.CI === 'true' && !POSTGRES_URL) {
  throw new Error(
    'CI=true but NDCLI_TEST_DATABASE_URL is not set, so the PostgreSQL back end would go untested. ' +
      'Run `eval "$(bash .ci/start-postgres)"` first (the CI script does).',
  )
}

export const BACKENDS: readonly Backend[] = POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite']

/** Declares the suite once per back end, titled "[sqlite] …" / "[postgres] …". */
export function backends(title: string, define: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    describe(`[${backend}] ${title}`, function () {
      define(backend)
    })
  }
}

export interface TestDatabase {
  backend: Backend
  /** What openStore takes. */
  storeOptions: StoreOptions
  /** The storage arguments of the ndcli-server command line. */
  cliArgs: string[]
  /** Everything stored, as text (the SQLite files, or every row of the schema as JSON), to look for secrets. */
  dump(): Promise<string>
  drop(): Promise<void>
}

let admin: pg.Pool | undefined
function adminPool(): pg.Pool {
  // allowExitOnIdle: mocha exits when the tests are done without an explicit pool.end().
  admin ??= new pg.Pool({connectionString: POSTGRES_URL, max: 2, allowExitOnIdle: true})
  return admin
}

/** The test URL with a search_path, so that every table the server creates and reads lives in `schema`. */
export function urlWithSchema(schema: string): string {
  if (!POSTGRES_URL) throw new Error('NDCLI_TEST_DATABASE_URL is not set')
  const url = new URL(POSTGRES_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}

export async function freshDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'sqlite') {
    const parent = mkdtempSync(join(tmpdir(), 'ndcli-server-test-'))
    // Not created yet: the server creates its data directory.
    const dataDir = join(parent, 'data')
    const files = ['', '-wal', '-shm'].map((suffix) => join(dataDir, SQLITE_FILE_NAME + suffix))
    return {
      backend,
      storeOptions: {dataDir},
      cliArgs: ['--data-dir', dataDir],
      async dump() {
        return files.filter((file) => existsSync(file)).map((file) => readFileSync(file, 'latin1')).join('\n')
      },
      async drop() {
        rmSync(parent, {recursive: true, force: true})
      },
    }
  }
  const schema = `ndcli_test_${randomBytes(6).toString('hex')}`
  await adminPool().query(`CREATE SCHEMA ${schema}`)
  const databaseUrl = urlWithSchema(schema)
  return {
    backend,
    storeOptions: {databaseUrl},
    cliArgs: ['--database-url', databaseUrl],
    async dump() {
      const tables = await adminPool().query<{table_name: string}>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      )
      const rows: string[] = []
      for (const {table_name: table} of tables.rows) {
        const result = await adminPool().query<{row: string}>(`SELECT row_to_json(t)::text AS row FROM ${schema}.${table} t`)
        rows.push(...result.rows.map(({row}) => `${table}: ${row}`))
      }
      return rows.join('\n')
    },
    async drop() {
      await adminPool().query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    },
  }
}
