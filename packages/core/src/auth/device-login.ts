/**
 * The client side of the device authorization grant (RFC 8628 §3.4–3.5):
 * poll the token endpoint at the server's interval until the code is approved,
 * denied or expired. Ctrl-C (the signal) stops the wait at once.
 */
import {setTimeout as delay} from 'node:timers/promises'

import type {ApiClient} from '../api/client.js'
import {ApiError, AuthenticationError, UnreachableError} from '../errors.js'
import {exchangeDeviceCode, type DeviceAuthorization, type TokenResponse} from './oauth.js'

export const ACCESS_DENIED_MESSAGE = 'Access was denied in the browser.'
export const CODE_EXPIRED_MESSAGE = "The code expired before it was approved. Run 'ndcli auth login' again."
/** RFC 8628 §3.5: slow_down adds 5 seconds to the polling interval, for this and all later requests. */
export const SLOW_DOWN_STEP_SECONDS = 5
/** RFC 8628 §3.2: the interval when the server names none. */
const DEFAULT_INTERVAL_SECONDS = 5
/** The longest wait between polls while the server cannot be reached. */
export const MAX_BACKOFF_SECONDS = 60

export interface PollOptions {
  /** Aborting it rejects the pending wait or request (Ctrl-C). */
  signal?: AbortSignal
  /** Waits `ms`, rejecting when `signal` aborts; tests replace it to run without real time. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Told the new interval (seconds) each time the server asks to slow down. */
  onSlowDown?: (intervalSeconds: number) => void
  /** Told each failed poll that polling goes on after (`failures` in a row), e.g. to say so once. */
  onUnreachable?: (error: Error, failures: number) => void
  now?: () => number
}

/** Polls until the user approves the code in the browser; the session's tokens. */
export async function pollForSession(api: ApiClient, authorization: DeviceAuthorization, options: PollOptions = {}): Promise<TokenResponse> {
  const sleep = options.sleep ?? abortableSleep
  const now = options.now ?? Date.now
  // The server answers expired_token itself; the local deadline only guards against one that never does.
  const deadline = now() + authorization.expires_in * 1000
  let intervalSeconds = authorization.interval > 0 ? authorization.interval : DEFAULT_INTERVAL_SECONDS
  // RFC 8628 §3.5: on connection timeouts the client backs off exponentially. A login the user is
  // approving must not die of a network blip or a restarting server: polling goes on (also after
  // a 429, 502, 503 or 504) with the wait doubling, until the code expires.
  let failures = 0
  for (;;) {
    await sleep(Math.min(intervalSeconds * 2 ** failures, Math.max(intervalSeconds, MAX_BACKOFF_SECONDS)) * 1000, options.signal)
    try {
      return await exchangeDeviceCode(api, authorization.device_code)
    } catch (error) {
      if (isTransient(error)) {
        if (now() >= deadline) throw error
        failures++
        options.onUnreachable?.(error as Error, failures)
        continue
      }
      failures = 0
      if (!(error instanceof ApiError)) throw error
      switch (error.code) {
        case 'authorization_pending':
          break
        case 'slow_down':
          intervalSeconds += SLOW_DOWN_STEP_SECONDS
          options.onSlowDown?.(intervalSeconds)
          break
        case 'access_denied':
          throw new AuthenticationError(ACCESS_DENIED_MESSAGE, {code: 'access_denied', cause: error})
        case 'expired_token':
          throw codeExpired(error)
        default:
          throw error
      }
    }
    if (now() >= deadline) throw codeExpired()
  }
}

/** A refused certificate is not: the control plane is reached and not trusted, and waiting does not change that. */
function isTransient(error: unknown): boolean {
  if (error instanceof UnreachableError) return error.code !== 'certificate_rejected'
  return error instanceof ApiError && [429, 502, 503, 504].includes(error.status)
}

function codeExpired(cause?: unknown): AuthenticationError {
  return new AuthenticationError(CODE_EXPIRED_MESSAGE, {code: 'expired_token', cause})
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, {signal})
}

/** Whether opening a browser can work here: never in CI, and on Linux and the BSDs only with a display. */
export function canOpenBrowser(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (env.CI) return false
  if (platform === 'darwin' || platform === 'win32') return true
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
}
