/** Which credential a command uses (cli.md): NDCLI_TOKEN first, then the stored login session. */
import {DEFAULT_SETTING, type ApiClient, type Credential, type CredentialSource} from '../api/client.js'
import {AuthenticationError} from '../errors.js'
import {validatePat} from '../pat-format.js'
import type {CredentialStore, Session} from '../store/credentials.js'
import {refreshSession, sessionFrom} from './oauth.js'

export const TOKEN_ENV = 'NDCLI_TOKEN'
export const NOT_AUTHENTICATED = "Not authenticated. Run 'ndcli auth login', or set NDCLI_TOKEN."

/**
 * No credential for the API URL in use: which URL and from which setting (cli.md), since a
 * session for another control plane does not count — e.g. logged in to one, NDCLI_API_URL at another.
 */
export function notLoggedInMessage(apiUrl: string, setting: string): string {
  return `Not logged in to ${apiUrl} (${setting === DEFAULT_SETTING ? 'the default API URL' : `from ${setting}`}). Run 'ndcli auth login', or set NDCLI_TOKEN.`
}
/** Refresh a little before the access token lapses, so a request does not race its expiry. */
const REFRESH_MARGIN_MS = 30_000

/** The PAT in NDCLI_TOKEN, checked locally; throws an AuthenticationError that names the problem, never the value. */
export function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[TOKEN_ENV]
  if (value === undefined || value === '') return undefined
  const check = validatePat(value.trim())
  if (!check.valid) {
    throw new AuthenticationError(`${TOKEN_ENV} is not a valid personal access token: it ${check.reason}.`, {
      code: 'invalid_token',
      hint: `Copy the whole token printed when it was created, or unset ${TOKEN_ENV} to use your login session.`,
    })
  }
  return value.trim()
}

export class StoredCredentials implements CredentialSource {
  /** NdCommand names the API URL and its setting here (notLoggedInMessage). */
  missingMessage = NOT_AUTHENTICATED
  private session?: Session | null

  constructor(
    private readonly store: CredentialStore,
    private readonly apiUrl: string,
    /** Client used for the refresh request itself (unauthenticated). */
    private readonly api: () => ApiClient,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async current(): Promise<Credential | undefined> {
    const pat = tokenFromEnv(this.env)
    if (pat) return {kind: 'pat', token: pat}
    return this.sessionCredential()
  }

  /** The stored session's access token whatever NDCLI_TOKEN says (e.g. `auth login` checking it), refreshed when it has lapsed. */
  async sessionCredential(): Promise<Credential | undefined> {
    const session = await this.loadSession()
    if (!session) return undefined
    if (new Date(session.expires_at).getTime() - REFRESH_MARGIN_MS <= this.now().getTime()) return this.refreshSession(session)
    return {kind: 'session', token: session.access_token}
  }

  /** One refresh, rotating the stored refresh token; a refused refresh means logging in again. */
  async refresh(): Promise<Credential | undefined> {
    const session = await this.loadSession()
    if (!session || tokenFromEnv(this.env)) return undefined
    return this.refreshSession(session)
  }

  /**
   * Refreshes under the store's refresh lock, so parallel ndcli processes sharing one login do not
   * present the same refresh token twice (the server would end the session). Once the lock is held
   * the store is read again: a session another process refreshed meanwhile is used as it is.
   */
  private async refreshSession(session: Session): Promise<Credential> {
    return this.store.withRefreshLock(async () => {
      const latest = (await this.store.get(this.apiUrl)) ?? session
      if (latest.refresh_token !== session.refresh_token) {
        this.session = latest
        return {kind: 'session', token: latest.access_token}
      }
      return this.rotate(latest)
    })
  }

  private async rotate(session: Session): Promise<Credential> {
    let refreshed: Session
    try {
      refreshed = sessionFrom(await refreshSession(this.api(), session.refresh_token), session.email, this.now())
    } catch (error) {
      if ((error as {exitCode?: number}).exitCode !== 3 && (error as {status?: number}).status !== 400) throw error
      // A process without the lock (an older ndcli) may have rotated it a moment ago: its session on disk is the live one.
      const onDisk = await this.store.get(this.apiUrl)
      if (onDisk && onDisk.refresh_token !== session.refresh_token) {
        this.session = onDisk
        return {kind: 'session', token: onDisk.access_token}
      }
      throw new AuthenticationError("Your login session has expired. Run 'ndcli auth login' to log in again.", {code: 'session_expired', cause: error})
    }
    await this.store.save(this.apiUrl, refreshed)
    this.session = refreshed
    return {kind: 'session', token: refreshed.access_token}
  }

  async loadSession(): Promise<Session | undefined> {
    if (this.session === undefined) this.session = (await this.store.get(this.apiUrl)) ?? null
    return this.session ?? undefined
  }
}
