import pg from 'pg'
import {checkParams, type SqlDriver, type SqlExecutor, type SqlValue, UniqueViolation} from './driver.js'

/** First half of the advisory lock key that serialises migrations; the second half is the schema's hash. */
const MIGRATION_LOCK_ID = 468_001
/** Connections per instance; several instances share the server's max_connections. */
const POOL_SIZE = 10
/** A request waiting this long for a free connection fails (500) instead of hanging. */
const CONNECT_TIMEOUT_MS = 10_000

const PG_UNIQUE_VIOLATION = '23505'
const PG_CACHED_PLAN_CHANGED = '0A000'
const INT8_OID = 20
const BOOL_OID = 16

/**
 * Values come back in SQLite's shapes: 64-bit integers (e.g. COUNT(*)), which
 * pg returns as strings, as numbers; booleans as 1/0. The shared schema stores
 * times as ISO-8601 text and flags as integers, so no other conversion applies.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) {
      return (text: string) => {
        const value = Number(text)
        if (!Number.isSafeInteger(value)) throw new RangeError(`integer ${text} does not fit a JavaScript number`)
        return value
      }
    }
    if (oid === BOOL_OID) return (text: string) => (text === 't' ? 1 : 0)
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text')
  }) as pg.CustomTypesConfig['getTypeParser'],
}

/** The shared SQL uses `?` placeholders; PostgreSQL numbers them. (No statement contains a literal `?`.) */
function numberPlaceholders(sql: string): string {
  let index = 0
  return sql.replace(/\?/g, () => `$${++index}`)
}

/**
 * Each SQL text (a constant of store.ts or migrations.ts, so the map stays small) as a named
 * statement: PostgreSQL parses and plans it once per connection instead of on every query.
 * DDL, transaction control and statements without parameters run unnamed, as before.
 */
const namedStatements = new Map<string, {name?: string; text: string}>()
function statement(sql: string): {name?: string; text: string} {
  let known = namedStatements.get(sql)
  if (!known) {
    const text = numberPlaceholders(sql)
    known = /^\s*(SELECT|INSERT|UPDATE|DELETE)\b/i.test(sql) && text !== sql ? {name: `ndcli_${namedStatements.size + 1}`, text} : {text}
    namedStatements.set(sql, known)
  }
  return known
}

function translate(error: unknown): unknown {
  return (error as {code?: unknown}).code === PG_UNIQUE_VIOLATION ? new UniqueViolation(error) : error
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  const query = async (sql: string, params: readonly SqlValue[]) => {
    const values = checkParams(params)
    try {
      try {
        return await client.query({...statement(sql), values})
      } catch (error) {
        // "cached plan must not change result type": a newer instance altered a table this
        // connection prepared a statement over (a rolling upgrade); the unnamed form re-plans.
        // Not inside a transaction, which the error has aborted.
        if ((error as {code?: unknown}).code !== PG_CACHED_PLAN_CHANGED || !(client instanceof pg.Pool)) throw error
        return await client.query(numberPlaceholders(sql), values)
      }
    } catch (error) {
      throw translate(error)
    }
  }
  return {
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      return (await query(sql, params)).rows as Row[]
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return (await query(sql, params)).rowCount ?? 0
    },
  }
}

/**
 * A connection pool; several stateless server instances can share the
 * database. The URL is handed to pg as is, so libpq-style parameters work,
 * e.g. `?sslmode=require` or `?options=-c%20search_path%3Dndcli`.
 */
export async function openPostgresDriver(databaseUrl: string): Promise<SqlDriver> {
  const pool = new pg.Pool({connectionString: databaseUrl, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types})
  // An idle client losing its connection must not crash the process; the next query gets a new one.
  pool.on('error', () => {})
  try {
    await pool.query('SELECT 1')
  } catch (error) {
    await pool.end()
    throw error
  }
  return {
    dialect: 'postgres',
    ...executor(pool),
    async exclusive(work) {
      const client = await pool.connect()
      let failure: Error | undefined
      try {
        await client.query('BEGIN')
        // Held until COMMIT/ROLLBACK: instances starting together apply migrations one after the other.
        // Keyed by schema, so databases that hold several schemas (e.g. tests) do not wait for each other.
        await client.query("SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))", [MIGRATION_LOCK_ID])
        const result = await work(executor(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error))
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        // A client whose transaction failed is discarded rather than reused in an unknown state.
        client.release(failure)
      }
    },
    async close() {
      await pool.end()
    },
  }
}
