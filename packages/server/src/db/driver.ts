/**
 * The little a SQL engine has to provide. All SQL text lives in store.ts and
 * migrations.ts, written once with `?` placeholders in the dialect common to
 * SQLite and PostgreSQL; a driver only executes it.
 */
export type SqlValue = string | number | null

export type Dialect = 'sqlite' | 'postgres'

export interface SqlExecutor {
  /** Rows of a query; read-only, since a driver may hand the same rows to identical later queries. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>
  /** Executes a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect
  /**
   * Runs `work` in a transaction that excludes every other process doing the
   * same (used to apply migrations once when several processes start together).
   */
  exclusive<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** A UNIQUE constraint refused a write: the database, not a prior read, decides conflicts. */
export class UniqueViolation extends Error {
  constructor(cause: unknown) {
    super('unique constraint violated', {cause})
    this.name = 'UniqueViolation'
  }
}

/**
 * A text parameter holds U+0000, which PostgreSQL's text type cannot hold, or a lone UTF-16
 * surrogate, which SQLite and PostgreSQL would replace differently. Both drivers refuse them
 * before reaching the engine, so the two back ends answer such input the same way (the app
 * turns it into 400 invalid_input). Request bodies are checked earlier; this covers every path.
 */
export class UnstorableText extends Error {
  constructor(readonly problem: 'nul' | 'surrogate') {
    super(problem === 'nul' ? 'text parameters must not contain U+0000' : 'text parameters must not contain a lone UTF-16 surrogate')
    this.name = 'UnstorableText'
  }
}

/** With the u flag a surrogate pair is one code point, so this matches unpaired surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u

export function checkParams(params: readonly SqlValue[]): SqlValue[] {
  for (const value of params) {
    if (typeof value !== 'string') continue
    if (value.includes('\u0000')) throw new UnstorableText('nul')
    if (LONE_SURROGATE.test(value)) throw new UnstorableText('surrogate')
  }
  return [...params]
}
