import {randomUUID} from 'node:crypto'
import type {SqlDriver} from './driver.js'

export type Role = 'superuser' | 'read-write' | 'read-only'
export type Scope = 'RW' | 'RO'
export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'consumed'

export interface User {
  id: string
  email: string
  name: string | null
  createdAt: string
}

export interface UserWithPassword extends User {
  passwordHash: string
}

/** The rules for tokens that reach an organization; the defaults allow every token. */
export interface TokenPolicy {
  /** null: no limit. */
  maxLifetimeDays: number | null
  allowedScopes: Scope[]
  requireOrgRestriction: boolean
}

export const OPEN_TOKEN_POLICY: Readonly<TokenPolicy> = {maxLifetimeDays: null, allowedScopes: ['RW', 'RO'], requireOrgRestriction: false}

export interface Organization {
  id: string
  slug: string
  name: string
  description: string | null
  createdAt: string
  tokenPolicy: TokenPolicy
}

export interface Membership {
  organization: Organization
  role: Role
}

export interface PersonalAccessToken {
  id: string
  userId: string
  name: string
  tokenPrefix: string
  scope: Scope
  orgId: string | null
  orgSlug: string | null
  expiresAt: string | null
  createdAt: string
  lastUsedAt: string | null
  lastUsedIp: string | null
  revokedAt: string | null
  /** While a rotation's grace window is open (and after, until the next rotation): when the previous secret stops; null without one. */
  previousValidUntil: string | null
  /** Canonical CIDR blocks the token works from; null: any address. */
  allowIps: string[] | null
}

/** A token found by one of its secrets: the current one, or the one a rotation replaced; with its owner. */
export interface TokenSecretMatch {
  token: PersonalAccessToken
  secret: 'current' | 'previous'
  user: User
}

/** A rotation: the current secret becomes the previous one, `next` becomes current. */
export interface TokenRotation {
  tokenId: string
  /** The digest read before rotating: the update applies only if no other rotation came first. */
  currentDigest: string
  nextDigest: string
  nextPrefix: string
  createdAt: string
  expiresAt: string | null
  /** Until when the previous secret is still accepted; null (or a time not after createdAt) for none. */
  previousValidUntil: string | null
}

export interface NewPersonalAccessToken {
  userId: string
  name: string
  tokenDigest: string
  tokenPrefix: string
  scope: Scope
  orgId: string | null
  expiresAt: string | null
  createdAt: string
  /** Canonical CIDR blocks; absent or null: any address. */
  allowIps?: string[] | null
}

export interface DeviceAuthorization {
  id: string
  clientId: string
  status: DeviceStatus
  userId: string | null
  intervalSeconds: number
  lastPolledAt: string | null
  expiresAt: string
}

export interface Session {
  id: string
  userId: string
  accessExpiresAt: string
}

/** A session found by its access token, with its owner. */
export interface SessionWithUser extends Session {
  user: User
}

export interface SessionTokens {
  accessTokenDigest: string
  accessExpiresAt: string
  refreshTokenDigest: string
  refreshExpiresAt: string
}

type Row = Record<string, string | number | null>

const str = (value: string | number | null | undefined): string => String(value)
const optional = (value: string | number | null | undefined): string | null => (value == null ? null : String(value))

function toUser(row: Row): User {
  return {id: str(row.id), email: str(row.email), name: optional(row.name), createdAt: str(row.created_at)}
}

function toOrganization(row: Row): Organization {
  return {
    id: str(row.id),
    slug: str(row.slug),
    name: str(row.name),
    description: optional(row.description),
    createdAt: str(row.created_at),
    tokenPolicy: {
      maxLifetimeDays: row.token_max_lifetime_days == null ? null : Number(row.token_max_lifetime_days),
      allowedScopes: str(row.token_allowed_scopes ?? 'RW,RO').split(',') as Scope[],
      requireOrgRestriction: Number(row.token_require_org_restriction ?? 0) === 1,
    },
  }
}

function toToken(row: Row): PersonalAccessToken {
  return {
    id: str(row.id),
    userId: str(row.user_id),
    name: str(row.name),
    tokenPrefix: str(row.token_prefix),
    scope: str(row.scope) as Scope,
    orgId: optional(row.org_id),
    orgSlug: optional(row.org_slug),
    expiresAt: optional(row.expires_at),
    createdAt: str(row.created_at),
    lastUsedAt: optional(row.last_used_at),
    lastUsedIp: optional(row.last_used_ip),
    revokedAt: optional(row.revoked_at),
    previousValidUntil: optional(row.previous_valid_until),
    allowIps: row.allow_ips == null ? null : str(row.allow_ips).split(','),
  }
}

function toDeviceAuthorization(row: Row): DeviceAuthorization {
  return {
    id: str(row.id),
    clientId: str(row.client_id),
    status: str(row.status) as DeviceStatus,
    userId: optional(row.user_id),
    intervalSeconds: Number(row.interval_seconds),
    lastPolledAt: optional(row.last_polled_at),
    expiresAt: str(row.expires_at),
  }
}

/** The owner's columns beside a token's or a session's (whose own names would collide). */
const OWNER_COLUMNS = 'u.email AS owner_email, u.name AS owner_name, u.created_at AS owner_created_at'

function toOwner(row: Row): User {
  return {id: str(row.user_id), email: str(row.owner_email), name: optional(row.owner_name), createdAt: str(row.owner_created_at)}
}

const TOKEN_COLUMNS = `t.id, t.user_id, t.name, t.token_prefix, t.scope, t.org_id, o.slug AS org_slug,
  t.expires_at, t.created_at, t.last_used_at, t.last_used_ip, t.revoked_at, t.previous_valid_until, t.allow_ips`

/**
 * Statements built from the column lists above, once: drivers key prepared statements and reused reads by
 * the SQL text, and a text built on each call would be hashed again on every lookup.
 */
const TOKEN_BY_DIGEST_SQL = `SELECT ${TOKEN_COLUMNS} FROM personal_access_tokens t LEFT JOIN organizations o ON o.id = t.org_id
  WHERE t.token_digest = ?`
const TOKEN_BY_SECRET_SQL = `SELECT ${TOKEN_COLUMNS}, ${OWNER_COLUMNS}, CASE WHEN t.token_digest = ? THEN 'current' ELSE 'previous' END AS matched_secret
  FROM personal_access_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN organizations o ON o.id = t.org_id
  WHERE t.token_digest = ? OR t.previous_token_digest = ?
  ORDER BY matched_secret`
const LIVE_TOKEN_BY_NAME_SQL = `SELECT ${TOKEN_COLUMNS}, t.token_digest FROM personal_access_tokens t LEFT JOIN organizations o ON o.id = t.org_id
  WHERE t.user_id = ? AND t.name = ? AND t.revoked_at IS NULL`
const LIVE_TOKENS_OF_USER_SQL = `SELECT ${TOKEN_COLUMNS} FROM personal_access_tokens t LEFT JOIN organizations o ON o.id = t.org_id
  WHERE t.user_id = ? AND t.revoked_at IS NULL ORDER BY t.created_at, t.name`
const SESSION_BY_ACCESS_TOKEN_SQL = `SELECT s.id, s.user_id, s.access_expires_at, ${OWNER_COLUMNS}
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.access_token_digest = ?`

const PENDING_OF_ADDRESS_SQL = `SELECT COUNT(*) AS n FROM device_authorizations
  WHERE client_address = ? AND expires_at > ? AND status = 'pending'`

/**
 * The data-access module: every SQL statement of the server is here. Methods
 * never read the clock; callers pass times as ISO-8601 strings. Writes that
 * must not race are single conditional statements, so they hold across
 * processes and server instances without locks.
 */
export class Store {
  constructor(private readonly db: SqlDriver) {}

  get dialect(): SqlDriver['dialect'] {
    return this.db.dialect
  }

  async ping(): Promise<void> {
    await this.db.all('SELECT 1 AS ok')
  }

  async close(): Promise<void> {
    await this.db.close()
  }

  /** The schema versions applied to this database, in order (one row each). */
  async listAppliedMigrations(): Promise<Array<{version: number; name: string; appliedAt: string}>> {
    const rows = await this.db.all<Row>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    return rows.map((row) => ({version: Number(row.version), name: str(row.name), appliedAt: str(row.applied_at)}))
  }

  // Users

  /** Throws UniqueViolation when the email is taken. */
  async createUser(user: {email: string; name: string | null; passwordHash: string; createdAt: string}): Promise<User> {
    const id = randomUUID()
    await this.db.run('INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)', [
      id,
      user.email,
      user.name,
      user.passwordHash,
      user.createdAt,
    ])
    return {id, email: user.email, name: user.name, createdAt: user.createdAt}
  }

  async findUserByEmail(email: string): Promise<UserWithPassword | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM users WHERE email = ?', [email])
    return row && {...toUser(row), passwordHash: str(row.password_hash)}
  }

  async findUserById(id: string): Promise<User | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM users WHERE id = ?', [id])
    return row && toUser(row)
  }

  // Organizations and memberships

  /** Throws UniqueViolation when the slug is taken. */
  async createOrganization(org: {slug: string; name: string; createdAt: string}): Promise<Organization> {
    const id = randomUUID()
    await this.db.run('INSERT INTO organizations (id, slug, name, created_at) VALUES (?, ?, ?, ?)', [
      id,
      org.slug,
      org.name,
      org.createdAt,
    ])
    return {id, slug: org.slug, name: org.name, description: null, createdAt: org.createdAt, tokenPolicy: {...OPEN_TOKEN_POLICY}}
  }

  async findOrganizationBySlug(slug: string): Promise<Organization | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM organizations WHERE slug = ?', [slug])
    return row && toOrganization(row)
  }

  async updateOrganizationDescription(orgId: string, description: string | null): Promise<void> {
    await this.db.run('UPDATE organizations SET description = ? WHERE id = ?', [description, orgId])
  }

  async updateOrganizationTokenPolicy(orgId: string, policy: TokenPolicy): Promise<void> {
    await this.db.run(
      'UPDATE organizations SET token_max_lifetime_days = ?, token_allowed_scopes = ?, token_require_org_restriction = ? WHERE id = ?',
      [policy.maxLifetimeDays, policy.allowedScopes.join(','), policy.requireOrgRestriction ? 1 : 0, orgId],
    )
  }

  /** Adds the user to the organization, or changes the role of an existing member. */
  async putMembership(membership: {userId: string; orgId: string; role: Role; createdAt: string}): Promise<void> {
    await this.db.run(
      `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role`,
      [membership.userId, membership.orgId, membership.role, membership.createdAt],
    )
  }

  async listMemberships(userId: string): Promise<Membership[]> {
    const rows = await this.db.all<Row>(
      `SELECT o.*, m.role FROM memberships m JOIN organizations o ON o.id = m.org_id
       WHERE m.user_id = ? ORDER BY o.slug`,
      [userId],
    )
    return rows.map((row) => ({organization: toOrganization(row), role: str(row.role) as Role}))
  }

  async findRole(userId: string, orgId: string): Promise<Role | undefined> {
    const [row] = await this.db.all<Row>('SELECT role FROM memberships WHERE user_id = ? AND org_id = ?', [userId, orgId])
    return row && (str(row.role) as Role)
  }

  // Personal access tokens

  /** Throws UniqueViolation when the account already has a live token of that name. */
  async createPersonalAccessToken(token: NewPersonalAccessToken): Promise<string> {
    const id = randomUUID()
    await this.db.run(
      `INSERT INTO personal_access_tokens
        (id, user_id, name, token_digest, token_prefix, scope, org_id, expires_at, created_at, allow_ips)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        token.userId,
        token.name,
        token.tokenDigest,
        token.tokenPrefix,
        token.scope,
        token.orgId,
        token.expiresAt,
        token.createdAt,
        token.allowIps ? token.allowIps.join(',') : null,
      ],
    )
    return id
  }

  /** Includes revoked tokens, so that the caller can say "revoked" rather than "unknown". */
  async findPersonalAccessTokenByDigest(digest: string): Promise<PersonalAccessToken | undefined> {
    const [row] = await this.db.all<Row>(TOKEN_BY_DIGEST_SQL, [digest])
    return row && toToken(row)
  }

  /**
   * The token a secret belongs to, as its current secret or as the previous one of a rotation
   * (whether that one is still accepted is the caller's decision), with its owner: one statement
   * per authenticated request. Includes revoked tokens.
   */
  async findPersonalAccessTokenBySecret(digest: string): Promise<TokenSecretMatch | undefined> {
    const [row] = await this.db.all<Row>(TOKEN_BY_SECRET_SQL, [digest, digest, digest])
    return row && {token: toToken(row), secret: row.matched_secret === 'current' ? 'current' : 'previous', user: toOwner(row)}
  }

  /** The account's live (not revoked) token of that name, with the digest of its current secret. */
  async findLivePersonalAccessToken(userId: string, name: string): Promise<(PersonalAccessToken & {tokenDigest: string}) | undefined> {
    const [row] = await this.db.all<Row>(LIVE_TOKEN_BY_NAME_SQL, [userId, name])
    return row && {...toToken(row), tokenDigest: str(row.token_digest)}
  }

  /**
   * Replaces the secret of a live token, keeping the one it replaces as the previous secret.
   * A compare-and-set on the current digest: false when the token was revoked or rotated
   * meanwhile (by another request or instance), and then nothing changed.
   */
  async rotatePersonalAccessToken(rotation: TokenRotation): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE personal_access_tokens
       SET previous_token_digest = token_digest, previous_valid_until = ?,
           token_digest = ?, token_prefix = ?, created_at = ?, expires_at = ?
       WHERE id = ? AND token_digest = ? AND revoked_at IS NULL`,
      [
        rotation.previousValidUntil,
        rotation.nextDigest,
        rotation.nextPrefix,
        rotation.createdAt,
        rotation.expiresAt,
        rotation.tokenId,
        rotation.currentDigest,
      ],
    )
    return changed > 0
  }

  /**
   * Revocation by a presented secret (a leaked value): the current secret of a live token
   * revokes the token; the previous secret of a rotation only ends its grace window, so the
   * replacement keeps working. Returns what was done, for the server's log only.
   */
  async revokeBySecret(digest: string, revokedAt: string): Promise<'token' | 'previous-secret' | 'nothing'> {
    const revoked = await this.db.run(
      'UPDATE personal_access_tokens SET revoked_at = ? WHERE token_digest = ? AND revoked_at IS NULL',
      [revokedAt, digest],
    )
    if (revoked > 0) return 'token'
    const ended = await this.db.run(
      `UPDATE personal_access_tokens SET previous_valid_until = NULL
       WHERE previous_token_digest = ? AND previous_valid_until IS NOT NULL AND revoked_at IS NULL`,
      [digest],
    )
    return ended > 0 ? 'previous-secret' : 'nothing'
  }

  /** Oldest first; in the order of the index personal_access_tokens_live_list, so no sort. */
  async listPersonalAccessTokens(userId: string): Promise<PersonalAccessToken[]> {
    const rows = await this.db.all<Row>(LIVE_TOKENS_OF_USER_SQL, [userId])
    return rows.map(toToken)
  }

  /** False when the account has no live token of that name. */
  async revokePersonalAccessToken(userId: string, name: string, revokedAt: string): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE personal_access_tokens SET revoked_at = ? WHERE user_id = ? AND name = ? AND revoked_at IS NULL',
      [revokedAt, userId, name],
    )
    return changed > 0
  }

  /** Records a use unless one was recorded after `staleBefore`: at most one write per interval, across instances. */
  async recordTokenUse(tokenId: string, usedAt: string, ip: string, staleBefore: string): Promise<void> {
    await this.db.run(
      `UPDATE personal_access_tokens SET last_used_at = ?, last_used_ip = ?
       WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
      [usedAt, ip, tokenId, staleBefore],
    )
  }

  // Device authorization grant

  /**
   * Inserts a pending grant unless the caps on pending (undecided, unexpired) grants are reached: 'created', or which
   * cap refused it ('address': `perAddressCap` of the client's address; 'total': `totalCap` of all).
   * The counts and the insert are one statement, so a burst cannot pass a cap on SQLite; on
   * PostgreSQL (READ COMMITTED) concurrent inserts may each see the count before the others,
   * so a cap can be passed by at most the number of concurrent requests (pool size × instances).
   * Throws UniqueViolation in the (unlikely) event of a user code collision.
   */
  async createDeviceAuthorization(
    grant: {
      deviceCodeDigest: string
      userCodeDigest: string
      clientId: string
      clientAddress: string
      intervalSeconds: number
      expiresAt: string
      createdAt: string
    },
    caps: {total: number; perAddress: number},
  ): Promise<'created' | 'address' | 'total'> {
    const created = await this.db.run(
      `INSERT INTO device_authorizations
        (id, device_code_digest, user_code_digest, client_id, client_address, status, interval_seconds, expires_at, created_at)
       SELECT ?, ?, ?, ?, ?, 'pending', CAST(? AS INTEGER), ?, ?
       WHERE (SELECT COUNT(*) FROM device_authorizations WHERE client_address = ? AND expires_at > ? AND status = 'pending') < ?
         AND (SELECT COUNT(*) FROM device_authorizations WHERE expires_at > ? AND status = 'pending') < ?`,
      [
        randomUUID(),
        grant.deviceCodeDigest,
        grant.userCodeDigest,
        grant.clientId,
        grant.clientAddress,
        grant.intervalSeconds,
        grant.expiresAt,
        grant.createdAt,
        grant.clientAddress,
        grant.createdAt,
        caps.perAddress,
        grant.createdAt,
        caps.total,
      ],
    )
    if (created > 0) return 'created'
    const [row] = await this.db.all<Row>(PENDING_OF_ADDRESS_SQL, [
      grant.clientAddress,
      grant.createdAt,
    ])
    return Number(row?.n) >= caps.perAddress ? 'address' : 'total'
  }

  /** Deletes the grants that expired before `time`; returns how many. */
  async deleteDeviceAuthorizationsExpiredBefore(time: string): Promise<number> {
    return this.db.run('DELETE FROM device_authorizations WHERE expires_at < ?', [time])
  }

  /** Every stored grant, expired or not (for operators and tests: what a flood left behind). */
  async countDeviceAuthorizations(): Promise<number> {
    const [row] = await this.db.all<Row>('SELECT COUNT(*) AS n FROM device_authorizations')
    return Number(row?.n)
  }

  async findDeviceAuthorizationByDeviceCode(digest: string): Promise<DeviceAuthorization | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM device_authorizations WHERE device_code_digest = ?', [digest])
    return row && toDeviceAuthorization(row)
  }

  async findDeviceAuthorizationByUserCode(digest: string): Promise<DeviceAuthorization | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM device_authorizations WHERE user_code_digest = ?', [digest])
    return row && toDeviceAuthorization(row)
  }

  async recordDevicePoll(id: string, polledAt: string, intervalSeconds: number): Promise<void> {
    await this.db.run('UPDATE device_authorizations SET last_polled_at = ?, interval_seconds = ? WHERE id = ?', [
      polledAt,
      intervalSeconds,
      id,
    ])
  }

  /** Approves or denies a pending, unexpired grant; false when it was no longer pending. */
  async decideDeviceAuthorization(id: string, decision: {status: 'approved' | 'denied'; userId: string; now: string}): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE device_authorizations SET status = ?, user_id = ?
       WHERE id = ? AND status = 'pending' AND expires_at > ?`,
      [decision.status, decision.userId, id, decision.now],
    )
    return changed > 0
  }

  /** Marks an approved grant as exchanged; only one of several concurrent polls wins. */
  async consumeDeviceAuthorization(id: string): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE device_authorizations SET status = 'consumed' WHERE id = ? AND status = 'approved'`,
      [id],
    )
    return changed > 0
  }

  // Sessions (device-flow sign-ins)

  async createSession(session: SessionTokens & {userId: string; createdAt: string}): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE refresh_expires_at < ?', [session.createdAt])
    await this.db.run(
      `INSERT INTO sessions
        (id, user_id, access_token_digest, access_expires_at, refresh_token_digest, refresh_expires_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        session.userId,
        session.accessTokenDigest,
        session.accessExpiresAt,
        session.refreshTokenDigest,
        session.refreshExpiresAt,
        session.createdAt,
      ],
    )
  }

  /** With its owner: one statement per authenticated request. */
  async findSessionByAccessToken(digest: string): Promise<SessionWithUser | undefined> {
    const [row] = await this.db.all<Row>(SESSION_BY_ACCESS_TOKEN_SQL, [digest])
    return row && {id: str(row.id), userId: str(row.user_id), accessExpiresAt: str(row.access_expires_at), user: toOwner(row)}
  }

  /**
   * Replaces both tokens of the session the refresh token belongs to (RFC 9700 §4.14.2): the old
   * refresh token is retired, so that presenting it again ends the session, newer tokens included.
   * 'rotated'; 'reused' when it had been retired already (the session is then ended); 'invalid'
   * when it is unknown or expired. Two refreshes racing with one token: one rotates, the other is
   * a reuse (the primary key of the retired digest decides, on both engines).
   */
  async rotateSession(refreshTokenDigest: string, next: SessionTokens, now: string): Promise<'rotated' | 'reused' | 'invalid'> {
    const retired = await this.db.run(
      `INSERT INTO retired_refresh_tokens (refresh_token_digest, session_id, retired_at)
       SELECT refresh_token_digest, id, ? FROM sessions WHERE refresh_token_digest = ? AND refresh_expires_at > ?
       ON CONFLICT (refresh_token_digest) DO NOTHING`,
      [now, refreshTokenDigest, now],
    )
    if (retired > 0) {
      const changed = await this.db.run(
        `UPDATE sessions SET access_token_digest = ?, access_expires_at = ?, refresh_token_digest = ?, refresh_expires_at = ?
         WHERE refresh_token_digest = ?`,
        [next.accessTokenDigest, next.accessExpiresAt, next.refreshTokenDigest, next.refreshExpiresAt, refreshTokenDigest],
      )
      if (changed > 0) return 'rotated'
    }
    const ended = await this.db.run(
      'DELETE FROM sessions WHERE id IN (SELECT session_id FROM retired_refresh_tokens WHERE refresh_token_digest = ?)',
      [refreshTokenDigest],
    )
    return ended > 0 ? 'reused' : 'invalid'
  }

  // Server secrets

  /**
   * The server secret called `name`, shared by every instance on this database. The first caller
   * stores its `candidate`; every caller, racing or later, gets the stored value (the primary key
   * decides on both engines).
   */
  async serverSecret(name: string, candidate: string, createdAt: string): Promise<string> {
    await this.db.run('INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [
      name,
      candidate,
      createdAt,
    ])
    const [row] = await this.db.all<Row>('SELECT value FROM server_secrets WHERE name = ?', [name])
    return str(row!.value)
  }

  /** Ends the session that either token, or a refresh token it retired, belongs to. */
  async deleteSessionByToken(digest: string): Promise<void> {
    await this.db.run(
      `DELETE FROM sessions WHERE access_token_digest = ? OR refresh_token_digest = ?
         OR id IN (SELECT session_id FROM retired_refresh_tokens WHERE refresh_token_digest = ?)`,
      [digest, digest, digest],
    )
  }
}
