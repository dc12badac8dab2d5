import pg from 'pg'
import {type SqlDriver, type SqlExecutor, type SqlValue, UniqueViolation} from './driver.js'

/** Arbitrary constant naming the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK_ID = 468_001

/** The shared SQL uses `?` placeholders; PostgreSQL numbers them. (No statement contains a literal `?`.) */
function numberPlaceholders(sql: string): string {
  let index = 0
  return sql.replace(/\?/g, () => `$${++index}`)
}

function translate(error: unknown): unknown {
  return (error as {code?: unknown}).code === '23505' ? new UniqueViolation(error) : error
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(numberPlaceholders(sql), [...params])
      return result.rows as Row[]
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      try {
        const result = await client.query(numberPlaceholders(sql), [...params])
        return result.rowCount ?? 0
      } catch (error) {
        throw translate(error)
      }
    },
  }
}

/** A connection pool; several stateless server instances can share the database. */
export async function openPostgresDriver(databaseUrl: string): Promise<SqlDriver> {
  const pool = new pg.Pool({connectionString: databaseUrl, max: 10})
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  await pool.query('SELECT 1')
  return {
    dialect: 'postgres',
    ...executor(pool),
    async exclusive(work) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID])
        const result = await work(executor(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      } finally {
        client.release()
      }
    },
    async close() {
      await pool.end()
    },
  }
}
