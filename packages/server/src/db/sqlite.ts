import {chmodSync, mkdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {checkParams, type SqlDriver, type SqlExecutor, type SqlValue, UniqueViolation} from './driver.js'

export const SQLITE_FILE_NAME = 'ndcli-server.sqlite'
/** How long a writer waits for another process (e.g. `ndcli-server user add` beside a running server). */
const BUSY_TIMEOUT_MS = 5000
/** Bound on the rows kept by the read cache (below); past it the cache starts again empty. */
const MAX_CACHED_ROWS = 10_000

function translate(error: unknown): unknown {
  const code = (error as {code?: unknown}).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ? new UniqueViolation(error) : error
}

/**
 * Two processes opening a new database at once (two instances started together) both switch it to
 * WAL: each holds a shared lock and wants the exclusive one, and SQLite answers one of them
 * SQLITE_BUSY at once, since no busy handler can end a deadlock (seen in 1 of 6 simultaneous
 * starts). That one tries again until the busy timeout; once the file is in WAL mode the switch is a no-op.
 */
function switchToWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (;;) {
    try {
      db.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if ((error as {code?: unknown}).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error
      // The driver is synchronous, and so is this wait: nothing else runs while the store opens.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20)
    }
  }
}

/** Opens (creating if needed) the SQLite file in `dataDir`, in WAL mode so readers never block the writer. */
export function openSqliteDriver(dataDir: string, warn: (message: string) => void = () => {}): SqlDriver {
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  // mkdir's mode applies only to a directory it creates: an existing one that others may read is tightened.
  const mode = statSync(dataDir).mode & 0o777
  if (mode & 0o077) {
    chmodSync(dataDir, 0o700)
    warn(`The data directory ${dataDir} was accessible to other users (mode ${mode.toString(8).padStart(4, '0')}); its mode is now 0700.`)
  }
  const file = join(dataDir, SQLITE_FILE_NAME)
  const db = new Database(file)
  // The file holds password hashes and token digests; -wal and -shm inherit its mode.
  chmodSync(file, 0o600)
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  switchToWal(db)
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

  // Reads outside transactions are answered from an identical earlier query while the database is
  // unchanged: most requests read the same few rows (the caller's credential, its token list), and
  // building their row objects cost more than the rest of the request. "Unchanged" is exact, not a
  // time to live: PRAGMA data_version changes when another connection (a second process, `ndcli-server
  // user add`) commits, and this connection's own writes empty the cache, so a revocation still applies
  // to the next request. Checking costs one read transaction, far less than the query and its row
  // objects. Every read of store.ts is keyed by ids, digests or emails, never the clock, so equal
  // parameters mean equal results.
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  // By SQL text (store.ts's constants, whose hashes V8 keeps), then by the parameters.
  const results = new Map<string, Map<string, readonly unknown[]>>()
  let resultRows = 0
  let resultsVersion: unknown
  const forget = () => {
    results.clear()
    resultRows = 0
  }

  return {
    dialect: 'sqlite',
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      const values = checkParams(params)
      // Read before the query: rows newer than the version they are filed under only cause an extra miss.
      const version = dataVersion.get()
      if (version !== resultsVersion) {
        forget()
        resultsVersion = version
      }
      const key = JSON.stringify(values)
      let rows = results.get(sql)?.get(key)
      if (!rows) {
        rows = Object.freeze(prepared(sql).all(...values).map((row) => Object.freeze(row)))
        if (resultRows + rows.length > MAX_CACHED_ROWS) forget()
        let ofStatement = results.get(sql)
        if (!ofStatement) results.set(sql, (ofStatement = new Map()))
        ofStatement.set(key, rows)
        resultRows += rows.length
      }
      return rows as Row[]
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      try {
        return await executor.run(sql, params)
      } finally {
        forget()
      }
    },
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
      } finally {
        forget()
      }
    },
    async close() {
      db.close()
    },
  }
}
