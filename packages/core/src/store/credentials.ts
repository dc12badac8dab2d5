import {join} from 'node:path'
import {rm} from 'node:fs/promises'

import {readJsonFile, writeJsonFileAtomic} from './files.js'

/** A browser-login session for one control plane. */
export interface Session {
  access_token: string
  refresh_token: string
  /** ISO-8601 time the access token stops working. */
  expires_at: string
  email: string
}

interface CredentialFile {
  /** Sessions keyed by API URL, so a token for one server is never sent to another. */
  sessions: Record<string, Session>
}

/**
 * The login sessions, in `credentials/sessions.json` under oclif's data
 * directory (moved by NDCLI_DATA_DIR): mode 0600 inside a 0700 directory,
 * written atomically. PATs are never stored here — they live in NDCLI_TOKEN.
 */
export class CredentialStore {
  readonly path: string

  constructor(dataDir: string) {
    this.path = join(dataDir, 'credentials', 'sessions.json')
  }

  async get(apiUrl: string): Promise<Session | undefined> {
    return (await this.readFile()).sessions[apiUrl]
  }

  async save(apiUrl: string, session: Session): Promise<void> {
    const file = await this.readFile()
    file.sessions[apiUrl] = session
    await writeJsonFileAtomic(this.path, file, {mode: 0o600, dirMode: 0o700})
  }

  async delete(apiUrl: string): Promise<boolean> {
    const file = await this.readFile()
    if (!file.sessions[apiUrl]) return false
    delete file.sessions[apiUrl]
    if (Object.keys(file.sessions).length === 0) await rm(this.path, {force: true})
    else await writeJsonFileAtomic(this.path, file, {mode: 0o600, dirMode: 0o700})
    return true
  }

  private async readFile(): Promise<CredentialFile> {
    const file = await readJsonFile<CredentialFile>(this.path)
    return file && typeof file.sessions === 'object' && file.sessions ? file : {sessions: {}}
  }
}
