import type {Authenticator} from './auth.js'
import type {Clock} from './clock.js'
import type {Limits} from './config.js'
import type {Store} from './db/index.js'
import type {AuthFailureThrottle, CredentialFailureThrottle, ElapsedClock} from './throttle.js'

/** What route modules share: handed to each by createApp. */
export interface AppContext {
  store: Store
  clock: Clock
  /** Monotonic time for throttle windows. */
  elapsed: ElapsedClock
  limits: Limits
  auth: Authenticator
  /** Failed authentications per client address. */
  throttle: AuthFailureThrottle
  /** Failed authentications per presented credential. */
  credentialThrottle: CredentialFailureThrottle
  /** Base of the URLs shown to people and clients (issuer, verification_uri), without a trailing slash; else derived from the request. */
  publicUrl: string | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Error code for schema violations on this route (OAuth endpoints use invalid_request). */
    validationErrorCode?: string
    /** Errors are answered as RFC 6749 §5.2 `{"error", "error_description"}` instead of the API envelope. */
    oauthErrors?: boolean
  }
}
