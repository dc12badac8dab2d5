import type {Dialect, SqlDriver} from './driver.js'

/**
 * Versioned schema changes, applied in order and recorded in schema_migrations.
 * Append new versions; never edit an applied one. The DDL is the subset common
 * to SQLite and PostgreSQL: times are ISO-8601 UTC text (Date#toISOString), which
 * sorts and compares the same way on both engines; ids are random UUIDs.
 */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly statements: readonly string[]
  /** Engines the statements apply to (default: all). The version is recorded on every engine, so versions stay aligned. */
  readonly only?: Dialect
}

/** Makes PostgreSQL compare a text column byte by byte, as SQLite's BINARY collation does. */
const byteOrder = (table: string, columns: readonly string[]) =>
  `ALTER TABLE ${table} ${columns.map((column) => `ALTER COLUMN ${column} TYPE TEXT COLLATE "C"`).join(', ')}`

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, organizations, personal access tokens, device flow, sessions',
    statements: [
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE memberships (
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('superuser', 'read-write', 'read-only')),
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, org_id)
      )`,
      `CREATE TABLE personal_access_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        token_digest TEXT NOT NULL UNIQUE,
        token_prefix TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('RW', 'RO')),
        org_id TEXT REFERENCES organizations (id) ON DELETE CASCADE,
        expires_at TEXT,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        last_used_ip TEXT,
        revoked_at TEXT
      )`,
      // Live names are unique per account; revoked rows stay (for token_revoked) and free their name.
      `CREATE UNIQUE INDEX personal_access_tokens_live_name
        ON personal_access_tokens (user_id, name) WHERE revoked_at IS NULL`,
      `CREATE TABLE device_authorizations (
        id TEXT PRIMARY KEY,
        device_code_digest TEXT NOT NULL UNIQUE,
        user_code_digest TEXT NOT NULL UNIQUE,
        client_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
        user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
        interval_seconds INTEGER NOT NULL,
        last_polled_at TEXT,
        expires_at TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        access_token_digest TEXT NOT NULL UNIQUE,
        access_expires_at TEXT NOT NULL,
        refresh_token_digest TEXT NOT NULL UNIQUE,
        refresh_expires_at TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'PostgreSQL: byte-order collation for the text columns the SQL sorts or compares',
    // Under a database's linguistic collation (e.g. en_US.UTF-8) "My laptop" sorts after "all" and
    // punctuation is ignored; SQLite sorts by bytes. "C" makes ORDER BY and < > agree on both engines.
    only: 'postgres',
    statements: [
      byteOrder('organizations', ['slug']),
      byteOrder('personal_access_tokens', ['name', 'created_at', 'expires_at', 'last_used_at', 'revoked_at']),
      byteOrder('device_authorizations', ['expires_at', 'last_polled_at', 'created_at']),
      byteOrder('sessions', ['access_expires_at', 'refresh_expires_at', 'created_at']),
    ],
  },
  {
    version: 3,
    name: 'personal access tokens: the previous secret of a rotation and the end of its grace window',
    // A rotation moves token_digest here. The previous secret authenticates only while
    // now < previous_valid_until (compared in code, not in SQL, so no collation is involved);
    // after that its digest stays, so that presenting it says "rotated" rather than "unknown".
    statements: [
      'ALTER TABLE personal_access_tokens ADD COLUMN previous_token_digest TEXT',
      'ALTER TABLE personal_access_tokens ADD COLUMN previous_valid_until TEXT',
      'CREATE INDEX personal_access_tokens_previous_digest ON personal_access_tokens (previous_token_digest)',
    ],
  },
  {
    version: 4,
    name: 'personal access tokens: live tokens of an account in list order',
    // GET /api/v1/auth/tokens reads an account's live tokens ORDER BY created_at, name: this index
    // returns them in that order, so the list needs no sort (it also serves the lookups by name).
    statements: [
      `CREATE INDEX personal_access_tokens_live_list
        ON personal_access_tokens (user_id, created_at, name) WHERE revoked_at IS NULL`,
    ],
  },
  {
    version: 5,
    name: 'sessions: the refresh tokens a rotation retired, to detect their reuse',
    // RFC 9700 §4.14.2: a retired refresh token presented again means it leaked; the session it
    // belongs to is ended (the rows go with it). The primary key makes a token retire only once.
    statements: [
      `CREATE TABLE retired_refresh_tokens (
        refresh_token_digest TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        retired_at TEXT NOT NULL
      )`,
      'CREATE INDEX retired_refresh_tokens_session ON retired_refresh_tokens (session_id)',
    ],
  },
  {
    version: 6,
    name: 'server secrets shared by every instance (the sign-in form CSRF key)',
    // One row per purpose, written once: the first instance to insert it wins, the others read it.
    statements: [
      `CREATE TABLE server_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 7,
    name: 'device authorizations: the client address, to cap pending codes per address',
    // POST /oauth/device/code counts the unexpired codes of the caller's address, and of all, in the
    // statement that inserts one; the indexes serve those counts and the purge of expired codes.
    statements: [
      'ALTER TABLE device_authorizations ADD COLUMN client_address TEXT',
      'CREATE INDEX device_authorizations_address ON device_authorizations (client_address, expires_at)',
      'CREATE INDEX device_authorizations_expiry ON device_authorizations (expires_at)',
    ],
  },
  {
    version: 8,
    name: 'organizations: token policy; personal access tokens: IP allowlist',
    // The policy lives in the organization's row, which every request that reaches the organization
    // reads anyway: a change applies to the next request on every instance, like a revocation.
    // Defaults are the policy that allows everything. allow_ips: canonical CIDR blocks joined by
    // commas (no CIDR contains one); NULL: any address.
    statements: [
      'ALTER TABLE organizations ADD COLUMN token_max_lifetime_days INTEGER',
      "ALTER TABLE organizations ADD COLUMN token_allowed_scopes TEXT NOT NULL DEFAULT 'RW,RO'",
      'ALTER TABLE organizations ADD COLUMN token_require_org_restriction INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE personal_access_tokens ADD COLUMN allow_ips TEXT',
    ],
  },
]

/** Applies the migrations not yet recorded, all in one exclusive transaction. */
export async function migrate(driver: SqlDriver, now: Date): Promise<void> {
  await driver.exclusive(async (tx) => {
    await tx.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`)
    const applied = new Set(
      (await tx.all<{version: number}>('SELECT version FROM schema_migrations')).map((row) => Number(row.version)),
    )
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue
      if (!migration.only || migration.only === driver.dialect) {
        for (const statement of migration.statements) await tx.run(statement)
      }
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        now.toISOString(),
      ])
    }
  })
}
