/** Who a credential signs in as: GET /api/v1/auth/me (api.md). */
import type {ApiClient, Credential} from '../api/client.js'
import {ExitCode, NdError} from '../errors.js'
import type {StoredCredentials} from './credentials.js'

export type OrganizationRole = 'superuser' | 'read-write' | 'read-only'

export interface CredentialInfo {
  type: 'session' | 'pat'
  /** PAT only. */
  name?: string
  scope?: 'RW' | 'RO'
  org?: string | null
  expires_at?: string | null
}

export interface Account {
  email: string
  name: string | null
  organizations: Array<{slug: string; role: OrganizationRole}>
  credential: CredentialInfo
}

/** The account behind the client's credential, or behind `credential` when given (e.g. a token just obtained). */
export function fetchAccount(api: ApiClient, credential?: Credential): Promise<Account> {
  return api.get<Account>('/api/v1/auth/me', {credential})
}

/**
 * The account of the stored login session if it still works (refreshed when
 * needed), ignoring NDCLI_TOKEN; undefined when there is no session or the
 * server no longer accepts it.
 */
export async function storedSessionAccount(api: ApiClient, credentials: StoredCredentials): Promise<Account | undefined> {
  try {
    const credential = await credentials.sessionCredential()
    return credential && (await fetchAccount(api, credential))
  } catch (error) {
    if (error instanceof NdError && error.exitCode === ExitCode.unauthenticated) return undefined
    throw error
  }
}
