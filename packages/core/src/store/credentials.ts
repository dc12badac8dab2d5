import {join} from 'node:path'
import {rm} from 'node:fs/promises'

import {NdError, UsageError} from '../errors.js'
import {readJsonFile, writeJsonFileAtomic} from './files.js'
import {Keyring, KeyringUnavailable} from './keyring.js'
import {LockTimeout, withFileLock, type FileLockOptions} from './lock.js'

/** A browser-login session for one control plane. */
export interface Session {
  access_token: string
  refresh_token: string
  /** ISO-8601 time the access token stops working. */
  expires_at: string
  email: string
}

export const AUTH_STORAGES = ['keyring', 'file'] as const
export type AuthStorage = (typeof AUTH_STORAGES)[number]
export const AUTH_STORAGE_ENV = 'NDCLI_AUTH_STORAGE'

/** NDCLI_AUTH_STORAGE, else auth.storage from config, else the keyring; anything else is a usage error naming both. */
export function authStorageFrom(envValue: string | undefined, configValue: string | undefined): AuthStorage {
  const [value, source] = envValue ? [envValue, AUTH_STORAGE_ENV] : configValue ? [configValue, 'auth.storage'] : ['keyring', '']
  if (!(AUTH_STORAGES as readonly string[]).includes(value)) {
    throw new UsageError(`${source} must be keyring or file, not "${value}".`, {hint: `Set ${source} to keyring (the OS keyring) or file (a 0600 file).`})
  }
  return value as AuthStorage
}

/** Where a session is kept: `auth status` reports it. */
export type SessionLocation = {type: 'keyring'} | {type: 'file'; path: string}

interface CredentialFile {
  /** Sessions keyed by API URL, so a token for one server is never sent to another. */
  sessions: Record<string, Session>
}

/** What the data dir knows of keyring sessions: no secret, only where to find them. */
interface KeyringIndex {
  sessions: Record<string, {account: string; items: number}>
}

/**
 * Windows' Credential Manager keeps at most 2,560 bytes a credential (UTF-16: 1,280 characters);
 * a longer payload is split over numbered items `<account>`, `<account>/1`, … .
 */
const ITEM_CHARS = 1000

export interface CredentialStoreOptions {
  storage?: AuthStorage
  /** Told the one-time fallback warning. */
  warn?: (message: string) => void
  keyring?: Keyring
  /** Tests shorten the waits of the refresh lock. */
  lock?: FileLockOptions
}

/**
 * The login sessions: in the OS keyring (service `ndcli`, account `<email>@<api host>`) with an
 * index without secrets in `credentials/keyring.json`, or in `credentials/sessions.json` (mode
 * 0600 in a 0700 directory, written atomically) when auth.storage is `file` or no keyring can be
 * used. PATs are never stored here — they live in NDCLI_TOKEN.
 */
export class CredentialStore {
  readonly path: string
  readonly indexPath: string
  /** Held while a session is refreshed (no secret in it): see withRefreshLock. */
  readonly refreshLockPath: string
  private readonly storage: AuthStorage
  private readonly keyring: Keyring
  private warned = false

  constructor(dataDir: string, private readonly options: CredentialStoreOptions = {}) {
    this.path = join(dataDir, 'credentials', 'sessions.json')
    this.indexPath = join(dataDir, 'credentials', 'keyring.json')
    this.refreshLockPath = join(dataDir, 'credentials', 'refresh.lock')
    this.storage = options.storage ?? 'keyring'
    this.keyring = options.keyring ?? new Keyring()
  }

  async location(apiUrl: string): Promise<SessionLocation | undefined> {
    if ((await this.readIndex()).sessions[apiUrl]) return {type: 'keyring'}
    if ((await this.readFile()).sessions[apiUrl]) return {type: 'file', path: this.path}
    return undefined
  }

  async get(apiUrl: string): Promise<Session | undefined> {
    const indexed = (await this.readIndex()).sessions[apiUrl]
    if (indexed) {
      try {
        const session = await this.readItems(indexed.account, indexed.items, apiUrl)
        if (session) return session
      } catch (error) {
        if (!(error instanceof KeyringUnavailable)) throw error
        this.warnOnce(`Your session for ${apiUrl} is in the OS keyring, but ${error.message}.`)
      }
    }
    return (await this.readFile()).sessions[apiUrl]
  }

  async save(apiUrl: string, session: Session): Promise<void> {
    const index = await this.readIndex()
    const previous = index.sessions[apiUrl]
    if (this.storage === 'keyring') {
      try {
        const account = accountFor(session.email, apiUrl)
        const items = await this.writeItems(account, apiUrl, session)
        if (previous && previous.account !== account) await this.deleteItems(previous.account, previous.items).catch(() => undefined)
        else if (previous && previous.items > items) await this.deleteItems(account, previous.items, items).catch(() => undefined)
        index.sessions[apiUrl] = {account, items}
        await this.writeIndex(index)
        await this.deleteFromFile(apiUrl)
        return
      } catch (error) {
        if (!(error instanceof KeyringUnavailable)) throw error
        const file = await this.readFile()
        // Once: a session already in the file (a refresh, a new login there) was warned about when it got there.
        if (!file.sessions[apiUrl]) {
          this.warnOnce(
            `The session is stored in plain text in ${this.path}: ${error.message}. ` +
              `Run 'ndcli auth migrate' once a keyring is available, or set ${AUTH_STORAGE_ENV}=file (or 'ndcli config set auth.storage file') to silence this warning.`,
          )
        }
      }
    }
    const file = await this.readFile()
    file.sessions[apiUrl] = session
    await writeJsonFileAtomic(this.path, file, {mode: 0o600, dirMode: 0o700})
    if (previous) await this.forgetKeyring(apiUrl, index)
  }

  /**
   * Runs `work` while no other ndcli process (sharing this data dir) refreshes a session. The server
   * ends a session whose rotated refresh token is presented again (RFC 9700 §4.14.2), so two
   * processes refreshing with the same token at once would log the user out: the second must wait,
   * then read the session the first one saved (`work` re-reads the store) instead of refreshing.
   */
  async withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await withFileLock(this.refreshLockPath, work, this.options.lock)
    } catch (error) {
      if (!(error instanceof LockTimeout)) throw error
      throw new NdError(`Another ndcli process has been refreshing the login session for too long (${error.message}).`, {
        code: 'session_locked',
        hint: `If no other ndcli process is running, delete ${error.path} and try again.`,
        cause: error,
      })
    }
  }

  /** Removes the session from the keyring and the file; whether there was one. */
  async delete(apiUrl: string): Promise<boolean> {
    const index = await this.readIndex()
    const inKeyring = Boolean(index.sessions[apiUrl])
    if (inKeyring) await this.forgetKeyring(apiUrl, index)
    return (await this.deleteFromFile(apiUrl)) || inKeyring
  }

  /**
   * Moves every session of the file into the keyring, then deletes the file; the API URLs moved.
   * When the keyring cannot take them all, nothing changes (a KeyringUnavailable).
   */
  async migrate(): Promise<string[]> {
    const file = await this.readFile()
    const index = await this.readIndex()
    const moved: Array<[string, {account: string; items: number}]> = []
    try {
      for (const [apiUrl, session] of Object.entries(file.sessions)) {
        const account = accountFor(session.email, apiUrl)
        moved.push([apiUrl, {account, items: await this.writeItems(account, apiUrl, session)}])
      }
    } catch (error) {
      for (const [, item] of moved) await this.deleteItems(item.account, item.items).catch(() => undefined)
      throw error
    }
    for (const [apiUrl, item] of moved) index.sessions[apiUrl] = item
    if (moved.length) await this.writeIndex(index)
    await rm(this.path, {force: true})
    return moved.map(([apiUrl]) => apiUrl)
  }

  private async forgetKeyring(apiUrl: string, index: KeyringIndex): Promise<void> {
    const {account, items} = index.sessions[apiUrl]!
    try {
      await this.deleteItems(account, items)
    } catch (error) {
      if (!(error instanceof KeyringUnavailable)) throw error
      this.warnOnce(`Could not delete the session from the OS keyring: ${error.message}. Delete the item "ndcli" / "${account}" yourself.`)
    }
    delete index.sessions[apiUrl]
    await this.writeIndex(index)
  }

  private async writeItems(account: string, apiUrl: string, session: Session): Promise<number> {
    // The API URL goes with the secret, so an item written for one server is never sent to another.
    const payload = JSON.stringify({...session, api_url: apiUrl})
    const count = Math.max(1, Math.ceil(payload.length / ITEM_CHARS))
    for (let i = 0; i < count; i++) {
      await (await this.keyring.item(itemName(account, i))).set(payload.slice(i * ITEM_CHARS, (i + 1) * ITEM_CHARS))
    }
    return count
  }

  private async readItems(account: string, count: number, apiUrl: string): Promise<Session | undefined> {
    let payload = ''
    for (let i = 0; i < count; i++) {
      const part = await (await this.keyring.item(itemName(account, i))).get()
      if (part === null) return undefined
      payload += part
    }
    try {
      const {api_url: storedFor, ...session} = JSON.parse(payload) as Session & {api_url?: string}
      return storedFor === apiUrl ? session : undefined
    } catch {
      return undefined
    }
  }

  private async deleteItems(account: string, count: number, from = 0): Promise<void> {
    for (let i = from; i < count; i++) await (await this.keyring.item(itemName(account, i))).delete()
  }

  private async deleteFromFile(apiUrl: string): Promise<boolean> {
    const file = await this.readFile()
    if (!file.sessions[apiUrl]) return false
    delete file.sessions[apiUrl]
    if (Object.keys(file.sessions).length === 0) await rm(this.path, {force: true})
    else await writeJsonFileAtomic(this.path, file, {mode: 0o600, dirMode: 0o700})
    return true
  }

  private warnOnce(message: string): void {
    if (this.warned || this.storage === 'file') return
    this.warned = true
    this.options.warn?.(message)
  }

  private async readFile(): Promise<CredentialFile> {
    const file = await readJsonFile<CredentialFile>(this.path)
    return file && typeof file.sessions === 'object' && file.sessions ? file : {sessions: {}}
  }

  private async readIndex(): Promise<KeyringIndex> {
    const index = await readJsonFile<KeyringIndex>(this.indexPath)
    return index && typeof index.sessions === 'object' && index.sessions ? index : {sessions: {}}
  }

  private async writeIndex(index: KeyringIndex): Promise<void> {
    if (Object.keys(index.sessions).length === 0) await rm(this.indexPath, {force: true})
    else await writeJsonFileAtomic(this.indexPath, index, {mode: 0o600, dirMode: 0o700})
  }
}

/** `<email>@<api host>`: sessions for several control planes coexist in one keyring. */
export function accountFor(email: string, apiUrl: string): string {
  let host = apiUrl
  try {
    host = new URL(apiUrl).host
  } catch {
    // Not a URL: the text itself names the control plane.
  }
  return `${email}@${host}`
}

function itemName(account: string, index: number): string {
  return index === 0 ? account : `${account}/${index}`
}
