/** The OAuth 2.0 endpoints of the control plane (api.md): device authorization grant, refresh, revocation. */
import type {ApiClient} from '../api/client.js'
import type {Session} from '../store/credentials.js'

export const CLIENT_ID = 'ndcli'
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

export interface DeviceAuthorization {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

export interface TokenResponse {
  access_token: string
  refresh_token: string
  token_type: 'Bearer'
  expires_in: number
}

export function requestDeviceCode(api: ApiClient): Promise<DeviceAuthorization> {
  return api.post<DeviceAuthorization>('/oauth/device/code', {authenticated: false, form: {client_id: CLIENT_ID}})
}

export function exchangeDeviceCode(api: ApiClient, deviceCode: string): Promise<TokenResponse> {
  return api.post<TokenResponse>('/oauth/token', {
    authenticated: false,
    form: {grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: CLIENT_ID},
  })
}

export function refreshSession(api: ApiClient, refreshToken: string): Promise<TokenResponse> {
  return api.post<TokenResponse>('/oauth/token', {
    authenticated: false,
    form: {grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID},
  })
}

/** RFC 7009: revoking the refresh token ends the whole session on the server. */
export async function revokeSession(api: ApiClient, session: Session): Promise<void> {
  await api.post('/oauth/revoke', {authenticated: false, form: {token: session.refresh_token, token_type_hint: 'refresh_token', client_id: CLIENT_ID}})
}

/**
 * Ends a session on the server, best effort: the reason it could not (the caller warns that the
 * session stays valid there until it expires), or undefined. Ctrl-C (the aborted signal) still stops.
 */
export async function tryRevokeSession(api: ApiClient, session: Session, signal: AbortSignal): Promise<Error | undefined> {
  try {
    await revokeSession(api, session)
    return undefined
  } catch (error) {
    if (signal.aborted) throw error
    return error as Error
  }
}

export function sessionFrom(tokens: TokenResponse, email: string, now: Date): Session {
  return {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: new Date(now.getTime() + tokens.expires_in * 1000).toISOString(),
    email,
  }
}
