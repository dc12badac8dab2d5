/**
 * The one HTTP client of ndcli, on got: base URL, bearer credential, timeouts,
 * retries for safe requests only, the API error envelope → typed errors, the
 * expiry warning, transparent session refresh, and debug output without secrets.
 */
import type {Got, HTTPError, Method, OptionsInit, RequestError, Response} from 'got'

import {ApiError, AuthenticationError, InterruptedError, NdError, UnreachableError, UsageError, exitCodeForStatus} from '../errors.js'
import {formatDate, formatDateTime} from '../output/time.js'
import {REDACTED, redactFields, redactFieldsDeep, redactText} from '../redact.js'

export const DEFAULT_API_URL = 'http://127.0.0.1:4680'
export const EXPIRY_WARNING_DAYS = 7
const EXPIRES_HEADER = 'ndcli-token-expires-at'
/** ApiClientOptions.apiUrlSetting's values other than NDCLI_API_URL (NdCommand.apiEndpoint). */
export const CONFIG_SETTING = 'api.url in config'
export const DEFAULT_SETTING = 'the default'

export type CredentialKind = 'pat' | 'session'

export interface Credential {
  kind: CredentialKind
  token: string
}

/** Where the client gets its bearer credential; refresh() is called once after a 401 on a session. */
export interface CredentialSource {
  current(): Promise<Credential | undefined>
  /** A fresh credential after the server refused the current one, or undefined when none can be had. */
  refresh?(): Promise<Credential | undefined>
  /** The message for "no credential at all". */
  missingMessage: string
}

export interface ApiClientOptions {
  baseUrl: string
  /** Where baseUrl came from (`NDCLI_API_URL`, `api.url in config`, `the default`), named when it looks wrong. */
  apiUrlSetting?: string
  userAgent: string
  credentials?: CredentialSource
  /** Connect timeout (ms). */
  connectTimeout?: number
  /** Time allowed for the whole response after connecting (ms). */
  responseTimeout?: number
  /** Retries of safe requests on network errors, 429, 502, 503, 504. */
  retries?: number
  /** Base of the exponential backoff between retries (ms). */
  retryBaseDelay?: number
  /** Where debug output goes; without it the client builds none (a response line parses and masks the whole body). */
  debug?: (message: string) => void
  warn?: (message: string) => void
  signal?: AbortSignal
  now?: () => Date
}

export interface RequestOptions {
  /** JSON body. */
  json?: unknown
  /** application/x-www-form-urlencoded body (OAuth endpoints). */
  form?: Record<string, string>
  /** Send the credential (default true). */
  authenticated?: boolean
  searchParams?: Record<string, string>
  /** Send this credential instead of the configured one, and never refresh it (e.g. a token just obtained at login). */
  credential?: Credential
  /**
   * The flag that gave each field of the JSON body, e.g. `{name: '--name', expires_in: '--expiry'}`: the
   * server's 400 `<field> must be …` then names the flag the user typed instead of the API's field.
   */
  fieldFlags?: Record<string, string>
}

/** Only safe methods are retried: a retried POST could create twice, a retried DELETE would report 404 for its own success. */
const RETRIED_METHODS: Method[] = ['GET', 'HEAD', 'OPTIONS']
/** Answers that say "try again later"; a 500 is a server bug that a retry would only repeat. */
const RETRIED_STATUSES = [429, 502, 503, 504]
const NETWORK_ERRORS = ['ETIMEDOUT', 'ECONNRESET', 'EADDRINUSE', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN', 'EHOSTUNREACH']
/** Node's codes (tls, "X509 certificate error codes") for a chain that ends at a CA this Node does not trust: a CA file fixes them. */
const UNTRUSTED_CERTIFICATE = ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_UNTRUSTED']
/** A trusted certificate issued for other names than the URL's host. */
const WRONG_HOST_CERTIFICATE = ['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']

/**
 * A user-given value (a token name, an org slug) as one path segment. An empty
 * value, `.` or `..` cannot be one: URL parsing would drop it or climb a level
 * (`/tokens/..` is `/auth/`; `%2E%2E` counts as `..` too), so they are refused.
 */
export function pathSegment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new UsageError(value === '' ? `Expected a non-empty ${what}.` : `"${value}" is not a valid ${what}.`)
  }
  return encodeURIComponent(value)
}

export class ApiClient {
  readonly baseUrl: string
  private readonly options: ApiClientOptions
  private got?: Got
  private warnedExpiry = false
  /** Secrets seen by this client, masked in debug output whatever their shape. */
  private readonly secrets = new Set<string>()

  constructor(options: ApiClientOptions) {
    this.options = options
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
  }

  /** Lets the client mask a secret it did not send itself (e.g. a token in a response body). */
  addSecret(secret: string | undefined): void {
    if (secret) this.secrets.add(secret)
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options)
  }

  post<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, options)
  }

  patch<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, options)
  }

  delete<T = void>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options)
  }

  async request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const authenticated = options.authenticated ?? true
    let credential = options.credential ?? (authenticated ? await this.requireCredential() : undefined)
    try {
      return await this.send<T>(method, path, options, credential)
    } catch (error) {
      const refresh = options.credential ? undefined : this.options.credentials?.refresh
      if (!(error instanceof ApiError) || error.status !== 401 || credential?.kind !== 'session' || !refresh) throw error
      credential = await refresh.call(this.options.credentials)
      if (!credential) throw error
      this.debug(() => `${method} ${path}: session refreshed, retrying once`)
      return this.send<T>(method, path, options, credential)
    }
  }

  private async requireCredential(): Promise<Credential> {
    const credential = await this.options.credentials?.current()
    if (!credential) {
      throw new AuthenticationError(this.options.credentials?.missingMessage ?? 'Not authenticated.')
    }
    this.secrets.add(credential.token)
    return credential
  }

  private async send<T>(method: Method, path: string, options: RequestOptions, credential?: Credential): Promise<T> {
    const client = await this.client()
    const url = this.baseUrl + path
    const headers: Record<string, string> = {}
    if (credential) {
      this.secrets.add(credential.token)
      headers.authorization = `Bearer ${credential.token}`
    }
    const init: OptionsInit = {method, headers, throwHttpErrors: true}
    if (options.json !== undefined) init.json = options.json
    if (options.form) init.form = options.form
    if (options.searchParams) init.searchParams = options.searchParams
    let response: Response<string>
    try {
      response = await client(url, {...init, resolveBodyOnly: false, responseType: 'text'})
    } catch (error) {
      throw withFlagNames(this.translate(error, method, url), options.fieldFlags)
    }
    this.checkExpiry(response)
    return this.parseBody<T>(response, url)
  }

  private async client(): Promise<Got> {
    if (this.got) return this.got
    // got is imported on first use so that commands which make no request start faster.
    const {default: got} = await import('got')
    const base = this.options.retryBaseDelay ?? 300
    this.got = got.extend({
      headers: {'user-agent': this.options.userAgent, accept: 'application/json'},
      timeout: {connect: this.options.connectTimeout ?? 10_000, response: this.options.responseTimeout ?? 30_000},
      signal: this.options.signal,
      retry: {
        limit: this.options.retries ?? 2,
        methods: RETRIED_METHODS,
        statusCodes: RETRIED_STATUSES,
        errorCodes: NETWORK_ERRORS,
        maxRetryAfter: 60_000,
        calculateDelay: ({attemptCount, retryAfter, computedValue}) => {
          if (computedValue === 0) return 0
          if (retryAfter) return retryAfter
          return Math.min(base * 2 ** (attemptCount - 1), 5000) + Math.random() * 100
        },
      },
      hooks: {
        beforeRequest: [(request) => this.debug(() => `→ ${request.method} ${request.url} ${JSON.stringify(redactFields(request.headers as Record<string, unknown>))}${request.body === undefined && request.json === undefined ? '' : ' ' + this.describeBody(request.json ?? request.body)}`)],
        beforeRetry: [(error, retryCount) => this.debug(() => `retry #${retryCount} after ${error.code ?? error.response?.statusCode}`)],
        afterResponse: [
          (response) => {
            this.debug(() => `← ${response.statusCode} ${response.url} (${response.timings?.phases.total ?? '?'} ms) ${this.describeResponseBody(String(response.body ?? ''))}`)
            return response
          },
        ],
      },
    })
    return this.got
  }

  private describeBody(body: unknown): string {
    if (body && typeof body === 'object' && !Buffer.isBuffer(body)) return this.redact(JSON.stringify(redactFieldsDeep(body)))
    if (typeof body === 'string') return this.redact(body.replace(/((?:password|token|refresh_token|device_code)=)[^&]*/g, `$1${REDACTED}`))
    return ''
  }

  /**
   * A response body for debug output: sensitive JSON fields masked by name, since a body
   * may carry secrets the client has not seen before (the tokens of a new session);
   * redacted before it is shortened, so a cut cannot split a secret past recognition.
   */
  private describeResponseBody(body: string): string {
    let text = body
    try {
      text = JSON.stringify(redactFieldsDeep(JSON.parse(body)))
    } catch {
      // Not JSON: only the known secrets and PAT-shaped values are masked.
    }
    return this.redact(text).slice(0, 2000)
  }

  private redact(text: string): string {
    return redactText(text, this.secrets)
  }

  /** Debug output, built only when it is shown (ApiClientOptions.debug). */
  private debug(message: () => string): void {
    this.options.debug?.(this.redact(message()))
  }

  private checkExpiry(response: Response<string>): void {
    const header = response.headers[EXPIRES_HEADER]
    if (typeof header !== 'string' || this.warnedExpiry) return
    const expiresAt = new Date(header)
    if (Number.isNaN(expiresAt.getTime())) return
    const now = this.options.now?.() ?? new Date()
    const msLeft = expiresAt.getTime() - now.getTime()
    if (msLeft > EXPIRY_WARNING_DAYS * 86_400_000) return
    this.warnedExpiry = true
    const days = Math.max(0, Math.ceil(msLeft / 86_400_000))
    const when = days === 0 ? 'today' : days === 1 ? 'in 1 day' : `in ${days} days`
    // The command is named as text, not imported: core depends on no plugin.
    this.options.warn?.(
      `This personal access token expires ${when}, ${msLeft < 86_400_000 ? `at ${formatDateTime(header)}` : `on ${formatDate(header)}`}. Rotate it with 'ndcli auth token rotate <name>' from a logged-in terminal and set NDCLI_TOKEN to the new secret.`,
    )
  }

  private parseBody<T>(response: Response<string>, url: string): T {
    const text = response.body
    if (response.statusCode === 204 || !text) return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new NdError(`The control plane at ${this.baseUrl} answered ${describeStatus(response)} with a body that is not JSON (${url}).`, {
        code: 'bad_response',
        hint: this.settingHint(),
      })
    }
  }

  private translate(error: unknown, method: string, url: string): NdError {
    const err = error as RequestError
    if (err?.name === 'HTTPError') return this.translateHttpError(err as HTTPError)
    if (err?.name === 'AbortError' || err?.code === 'ERR_ABORTED' || this.options.signal?.aborted) {
      return new InterruptedError('Interrupted.', {cause: error})
    }
    const setting = 'Check that the server is running, or set NDCLI_API_URL (or `ndcli config set api.url`).'
    if (err?.name === 'TimeoutError') {
      const phase = (err as {event?: string}).event === 'connect' ? 'connecting' : 'waiting for an answer'
      return new UnreachableError(`The control plane at ${this.baseUrl} timed out ${phase} (${method} ${pathOf(url)}).`, {cause: error, code: 'timeout', hint: setting})
    }
    if (err?.name === 'ParseError') {
      return new NdError(`The control plane at ${this.baseUrl} sent a malformed response.`, {cause: error, code: 'bad_response'})
    }
    if (err?.code && (UNTRUSTED_CERTIFICATE.includes(err.code) || WRONG_HOST_CERTIFICATE.includes(err.code))) return this.certificateError(err)
    const reason = err?.code ? networkReason(err.code) : this.redact(err?.message ?? String(error))
    return new UnreachableError(`Could not reach the control plane at ${this.baseUrl}: ${reason}.`, {cause: error, code: 'unreachable', hint: setting})
  }

  private translateHttpError(error: HTTPError): NdError {
    const response = error.response as Response<string>
    const status = response.statusCode
    const envelope = parseEnvelope(response.body)
    if (envelope) {
      return new ApiError(status, envelope.code, this.redact(envelope.message), {hint: hintFor(status, envelope.code), retryAfterSeconds: retryAfterOf(response)})
    }
    if (status === 404) {
      // Every path of the control plane, even an unknown one, answers 404 with an API error: a bare
      // 404 is another server. Exit 7 (no control plane there), not 5, which says the control plane looked and found nothing.
      return new UnreachableError(`The server at ${this.baseUrl} answered ${describeStatus(response)} to ${pathOf(response.url || this.baseUrl)} without an API error: it is not an ndcli control plane.`, {
        code: 'not_a_control_plane',
        hint: this.settingHint(),
      })
    }
    const code = exitCodeForStatus(status) === 7 ? 'server_error' : 'bad_response'
    return new ApiError(status, code, `The control plane at ${this.baseUrl} answered ${describeStatus(response)} without an API error (is ${this.options.apiUrlSetting === CONFIG_SETTING ? 'api.url' : 'NDCLI_API_URL'} right?).`)
  }

  /** An https certificate that Node refused: exit 7 like any control plane it cannot reach, with the fix for the cause. */
  private certificateError(error: RequestError): UnreachableError {
    const {hostname} = new URL(this.baseUrl)
    const options = {cause: error, code: 'certificate_rejected'}
    if (UNTRUSTED_CERTIFICATE.includes(error.code)) {
      return new UnreachableError(`The control plane at ${this.baseUrl} sent a certificate that this machine does not trust (${error.code}).`, {
        ...options,
        hint: "If it is signed by your own CA, or self-signed, set NODE_EXTRA_CA_CERTS to that CA's certificate (a PEM file).",
      })
    }
    // Node's altname error carries the peer certificate: name what it was issued for.
    const names = (error.cause as {cert?: {subjectaltname?: string}} | undefined)?.cert?.subjectaltname
    return new UnreachableError(`The certificate of the control plane at ${this.baseUrl} is not valid for ${hostname}${names ? ` (it names ${names})` : ''}.`, {
      ...options,
      hint: 'Use a host name the certificate names in NDCLI_API_URL (or api.url), or have the certificate issued for this one.',
    })
  }

  /** Which setting to fix when the URL does not lead to a control plane. */
  private settingHint(): string {
    const setting = this.options.apiUrlSetting
    if (setting === CONFIG_SETTING) return `Check that api.url ('ndcli config get api.url') points at an ndcli control plane.`
    if (setting === DEFAULT_SETTING) return `${this.baseUrl} is the default API URL: set NDCLI_API_URL or 'ndcli config set api.url' to your control plane.`
    return `Check that NDCLI_API_URL points at an ndcli control plane.`
  }
}

/** A 400 about a body field (`name must be …`, validation.ts on the server) reworded to name the flag that set it. */
function withFlagNames(error: NdError, fieldFlags: Record<string, string> | undefined): NdError {
  if (!fieldFlags || !(error instanceof ApiError) || error.status !== 400) return error
  const field = Object.keys(fieldFlags).find((name) => error.message.startsWith(`${name} `))
  if (field === undefined) return error
  return new ApiError(error.status, error.code, `${fieldFlags[field]}${error.message.slice(field.length)}`, {hint: error.hint, cause: error})
}

/**
 * The API's `{"error": {code, message}}`, or the OAuth form `{"error": code,
 * "error_description"?}` (RFC 6749 §5.2, RFC 8628 §3.5) that OAuth endpoints may answer.
 */
function parseEnvelope(body: unknown): {code: string; message: string} | undefined {
  if (typeof body !== 'string') return undefined
  let parsed: {error?: unknown; error_description?: unknown}
  try {
    parsed = JSON.parse(body) as typeof parsed
  } catch {
    return undefined // not JSON: handled by the caller
  }
  const {error} = parsed
  if (typeof error === 'string') {
    return {code: error, message: typeof parsed.error_description === 'string' ? parsed.error_description : error.replaceAll('_', ' ')}
  }
  if (typeof error === 'object' && error !== null) {
    const {code, message} = error as {code?: unknown; message?: unknown}
    if (typeof code === 'string' && typeof message === 'string') return {code, message}
  }
  return undefined
}

function hintFor(status: number, code: string): string | undefined {
  if (code === 'token_revoked' || code === 'token_expired' || code === 'invalid_token') {
    return "Unset NDCLI_TOKEN or set it to a valid token, or log in again with 'ndcli auth login'."
  }
  if (status === 401) return "Run 'ndcli auth login', or set NDCLI_TOKEN."
  if (code === 'rate_limited') return 'Wait a minute before trying again.'
  return undefined
}

/** Retry-After in seconds (RFC 9110 §10.2.3: a delay or an HTTP date), or undefined. */
function retryAfterOf(response: Response<string>): number | undefined {
  const header = response.headers['retry-after']
  if (typeof header !== 'string') return undefined
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000
  return Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : undefined
}

function describeStatus(response: Response<string>): string {
  return `${response.statusCode}${response.statusMessage ? ' ' + response.statusMessage : ''}`
}

function pathOf(url: string): string {
  return new URL(url).pathname
}

function networkReason(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found'
    case 'ECONNRESET':
      return 'connection reset'
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable'
    default:
      return code
  }
}
