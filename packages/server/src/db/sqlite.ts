import {chmodSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {checkParams, type SqlDriver, type SqlExecutor, type SqlValue, UniqueViolation} from './driver.js'

export const SQLITE_FILE_NAME = 'ndcli-server.sqlite'
/** How long a writer waits for another process (e.g. `ndcli-server user add` beside a running server). */
const BUSY_TIMEOUT_MS = 5000

function translate(error: unknown): unknown {
  const code = (error as {code?: unknown}).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ? new UniqueViolation(error) : error
}

/** Opens (creating if needed) the SQLite file in `dataDir`, in WAL mode so readers never block the writer. */
export function openSqliteDriver(dataDir: string): SqlDriver {
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  const file = join(dataDir, SQLITE_FILE_NAME)
  const db = new Database(file)
  // The file holds password hashes and token digests; -wal and -shm inherit its mode.
  chmodSync(file, 0o600)
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')

  // Compiling a statement costs more than running these small ones: each SQL text (a constant of
  // store.ts or migrations.ts, so the map stays small) is prepared once per connection.
  const statements = new Map<string, Database.Statement>()
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }

  // better-sqlite3 is synchronous: each call completes before the promise is returned.
  const executor: SqlExecutor = {
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      return prepared(sql).all(...checkParams(params)) as Row[]
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      const values = checkParams(params)
      try {
        return prepared(sql).run(...values).changes
      } catch (error) {
        throw translate(error)
      }
    },
  }

  return {
    dialect: 'sqlite',
    ...executor,
    async exclusive(work) {
      // IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout) instead of racing.
      db.exec('BEGIN IMMEDIATE')
      try {
        const result = await work(executor)
        db.exec('COMMIT')
        return result
      } catch (error) {
        db.exec('ROLLBACK')
        throw error
      }
    },
    async close() {
      db.close()
    },
  }
}
