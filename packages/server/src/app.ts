import {randomUUID} from 'node:crypto'
import {STATUS_CODES, type IncomingMessage} from 'node:http'
import type {Socket} from 'node:net'
import Fastify, {LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'
import {createAuthenticator} from './auth.js'
import {systemClock, type AdjustableClock, type Clock} from './clock.js'
import {DEFAULT_LIMITS, parsePublicUrl, type Limits, type TrustProxy} from './config.js'
import type {AppContext} from './context.js'
import {UnstorableText, type Store} from './db/index.js'
import {ApiError, errorBody, invalidInput, notFound, oauthErrorBody} from './errors.js'
import {LONE_SURROGATE_MESSAGE, parseJsonBody} from './json-body.js'
import {registerActivateRoutes} from './routes/activate.js'
import {registerCredentialRoutes} from './routes/credentials.js'
import {registerHealthRoutes} from './routes/health.js'
import {registerMeRoutes} from './routes/me.js'
import {registerOAuthRoutes} from './routes/oauth.js'
import {registerOpenApiRoute} from './routes/openapi.js'
import {registerOrganizationRoutes} from './routes/organizations.js'
import {registerTestClockRoute} from './routes/test-clock.js'
import {registerTokenRoutes} from './routes/tokens.js'
import {rawSecurityHeaders, securityHeaders} from './security-headers.js'
import {AuthFailureThrottle, CredentialFailureThrottle, monotonicClock, type ElapsedClock} from './throttle.js'
import {describeValidationError} from './validation.js'

export interface LoggerOptions {
  level?: string
  /** Where JSON log lines go (default stdout; the CLI uses stderr). */
  stream?: {write(line: string): void}
}

export interface AppOptions {
  store: Store
  /** Source of the current time (default: the system clock). */
  clock?: Clock
  /** Monotonic milliseconds for throttle windows (default performance.now; a test clock brings its own). */
  elapsed?: ElapsedClock
  /** false (default) for no logs. */
  logger?: LoggerOptions | false
  limits?: Partial<Limits>
  /**
   * Where people and clients reach the server (`--public-url`): the issuer, verification_uri and
   * metadata URLs, and whether cookies are Secure. Default: from the request (its Host header).
   */
  publicUrl?: string
  /** Proxies whose X-Forwarded-* headers are believed (`--trust-proxy`); default: none, request.ip is the peer's address. */
  trustProxy?: TrustProxy
  /** Test only: registers `PUT /__test/clock`, which sets this clock's offset. Its `now` becomes the app's clock. */
  testClock?: AdjustableClock
}

/** Secrets can only reach a log line through these fields; they are censored wherever they appear. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...['password', 'token', 'access_token', 'refresh_token', 'device_code', 'csrf_token'].flatMap((field) => [
    field,
    `*.${field}`,
  ]),
]

/**
 * One log line per request, written when it is answered: method, path (no query string), address,
 * status and time — not Fastify's two ("incoming request" and "request completed"), which cost
 * a second serialization, redaction and write on every request. The line of an answered request
 * holds only those fields (the serializers pick them), none of which can carry a secret, so it is
 * written by a child logger without the redaction pass: searching every line for the secret fields
 * cost more than the rest of the line (measured: ~5 µs of ~7). Every other line, errors included,
 * is redacted.
 */
class OneLinePerRequest extends LogController {
  private answered: FastifyBaseLogger | undefined

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      request.log.error({req: request, res: reply, err: error, responseTime: reply.elapsedTime}, 'request errored')
      return
    }
    this.answered ??= request.server.log.child({}, {redact: {paths: []}})
    this.answered.info({reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime}, 'request completed')
  }
}

type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type ChildLoggerOptions = Parameters<FastifyBaseLogger['child']>[1]
type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * Fastify gives each request a child logger bound to its id, which most requests never use (the line of
 * an answered request is written by the controller above): it is made on its first use instead of for
 * every request, which cost ~3 µs a request under load.
 */
class DeferredChildLogger implements FastifyBaseLogger {
  #made: FastifyBaseLogger | undefined

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get made(): FastifyBaseLogger {
    return (this.#made ??= this.parent.child(this.bindings, this.options))
  }

  get level(): string {
    return this.made.level
  }

  set level(level: string) {
    this.made.level = level
  }

  private write(method: LogMethod, args: unknown[]): void {
    const logger = this.made
    ;(logger[method] as (...values: unknown[]) => void).apply(logger, args)
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args)
  }

  error(...args: unknown[]): void {
    this.write('error', args)
  }

  warn(...args: unknown[]): void {
    this.write('warn', args)
  }

  info(...args: unknown[]): void {
    this.write('info', args)
  }

  debug(...args: unknown[]): void {
    this.write('debug', args)
  }

  trace(...args: unknown[]): void {
    this.write('trace', args)
  }

  silent(...args: unknown[]): void {
    this.write('silent', args)
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.made.child(bindings, options)
  }
}

/** What a log line says of a request. The query string is left out: it is where a careless client would put a secret. */
function requestFields(request: FastifyRequest): {method: string; path: string; remoteAddress: string} {
  return {method: request.method, path: request.url.split('?')[0]!, remoteAddress: request.ip}
}

/** A client's X-Request-Id is kept when it is short and harmless, so logs can be correlated across systems. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id']
  return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID()
}

/**
 * Requests Node's HTTP parser refuses (headers over its 16 KiB limit, a malformed request
 * line, invalid header characters, timeouts) never reach a route: answer them with the
 * error envelope here, written to the socket, instead of Fastify's default body.
 */
function clientErrorResponse(error: {code?: string}): {status: number; code: string; message: string} {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {status: 431, code: 'headers_too_large', message: 'The request headers are larger than the limit of 16 KiB.'}
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {status: 408, code: 'request_timeout', message: 'The request took too long to arrive.'}
    default:
      return {status: 400, code: 'invalid_input', message: 'The request is not valid HTTP/1.1.'}
  }
}

function answerClientError(error: Error & {code?: string}, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  if (socket.writable) {
    const {status, code, message} = clientErrorResponse(error)
    const body = JSON.stringify(errorBody(code, message))
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${randomUUID()}\r\n${rawSecurityHeaders()}connection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

/** JSON is UTF-8 (RFC 8259 §8.1): a charset parameter other than utf-8 names bytes this server would misread. */
function isUtf8Charset(contentType: string | undefined): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')?.[1]
  return charset === undefined || /^utf-?8$/i.test(charset)
}

/** Fastify's default; path parameters (token names, slugs) are at most 64 characters. */
const MAX_PARAM_LENGTH = 100

/** Fastify's types lack the hop count proxy-addr takes; the same rule as a function: the nearest `hops` addresses are proxies. */
function trustProxyOption(trustProxy: TrustProxy | undefined): false | string[] | ((address: string, hop: number) => boolean) {
  if (trustProxy === undefined) return false
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy
  return trustProxy
}

export function createApp(options: AppOptions): FastifyInstance {
  const limits: Limits = {...DEFAULT_LIMITS, ...options.limits}
  const clock = options.testClock?.now ?? options.clock ?? systemClock
  const app = Fastify({
    logger: options.logger
      ? {
          level: options.logger.level ?? 'info',
          stream: options.logger.stream,
          redact: {paths: REDACTED_PATHS, censor: '[REDACTED]'},
          serializers: {req: requestFields},
        }
      : false,
    logController: new OneLinePerRequest(),
    childLoggerFactory: (logger, bindings, options) => new DeferredChildLogger(logger, bindings, options),
    bodyLimit: limits.bodyLimitBytes,
    trustProxy: trustProxyOption(options.trustProxy),
    routerOptions: {maxParamLength: MAX_PARAM_LENGTH},
    genReqId: requestId,
    requestIdHeader: false,
    // Requests that arrive while closing are still answered (with the envelope) rather than with a bare 503.
    return503OnClosing: false,
    ajv: {customOptions: {removeAdditional: false, coerceTypes: false, useDefaults: false, verbose: true}},
    schemaErrorFormatter: (errors, context) => new Error(describeValidationError(errors, context)),
    clientErrorHandler: answerClientError,
    // Errors of the router, before any hook runs: so the headers are set here.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      securityHeaders(reply)
      void reply.header('x-request-id', request.id)
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        // No token name or slug is that long (the limit is 64): nothing can exist there.
        void reply.code(404).send(errorBody('not_found', `Nothing exists at this path: a path segment is longer than ${MAX_PARAM_LENGTH} characters.`))
        return
      }
      void reply.code(400).send(errorBody('invalid_input', 'The request URL is malformed.'))
    },
  })
  app.decorateRequest('principal', null)

  // Only JSON by default (the browser routes add forms); anything else is 415.
  app.removeAllContentTypeParsers()
  // JSON is UTF-8 (RFC 8259 §8.1): bytes that are not are refused rather than replaced with U+FFFD.
  const utf8 = new TextDecoder('utf-8', {fatal: true})
  app.addContentTypeParser('application/json', {parseAs: 'buffer'}, (request, body, done) => {
    if (!isUtf8Charset(request.headers['content-type'])) {
      done(new ApiError(415, 'unsupported_media_type', 'JSON must be UTF-8: send Content-Type: application/json, or with charset=utf-8.'))
      return
    }
    let text: string
    try {
      text = utf8.decode(body as Buffer)
    } catch {
      done(invalidInput('The request body is not valid UTF-8.'))
      return
    }
    try {
      done(null, text === '' ? undefined : parseJsonBody(text))
    } catch (error) {
      done(invalidInput((error as Error).message))
    }
  })

  // Synchronous (a callback, not an async function): no promise per response.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    securityHeaders(reply)
    done(null, payload)
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error, request, limits)
    if (apiError.statusCode >= 500) request.log.error({err: error}, 'request failed')
    // RFC 6749 §5.2 on the OAuth endpoints (a standard client reads nothing else); the API envelope elsewhere.
    const body = request.routeOptions.config.oauthErrors ? oauthErrorBody(apiError) : apiError.body
    void reply.code(apiError.statusCode).headers(apiError.headers).send(body)
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!
    const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path
    const {body, statusCode} = notFound(`There is no ${request.method} ${shown} endpoint.`)
    void reply.code(statusCode).send(body)
  })

  const elapsed = options.testClock?.elapsed ?? options.elapsed ?? monotonicClock
  const throttle = new AuthFailureThrottle(limits.authFailureLimit, elapsed)
  const credentialThrottle = new CredentialFailureThrottle(limits.authFailureLimit, elapsed)
  const context: AppContext = {
    store: options.store,
    clock,
    elapsed,
    limits,
    throttle,
    credentialThrottle,
    auth: createAuthenticator(options.store, clock, throttle, credentialThrottle),
    publicUrl: options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl),
  }

  registerHealthRoutes(app, context)
  registerOpenApiRoute(app)
  // JSON API: only application/json bodies are accepted here.
  void app.register(async (api) => {
    registerTokenRoutes(api, context)
    registerCredentialRoutes(api, context)
    registerMeRoutes(api, context)
    registerOrganizationRoutes(api, context)
  })
  // Browser and OAuth endpoints also take HTML-form bodies.
  void app.register(async (browser) => {
    await browser.register(import('@fastify/formbody'))
    await browser.register(import('@fastify/cookie'))
    registerOAuthRoutes(browser, context)
    registerActivateRoutes(browser, context)
  })
  if (options.testClock) registerTestClockRoute(app, options.testClock)
  purgeExpiredDeviceCodes(app, options.store, clock, limits)
  return app
}

/**
 * Expired device codes are deleted on each issuance, and also on a timer, so that a flood that
 * stopped leaves no rows behind. The timer does not keep the process alive and stops on close.
 */
function purgeExpiredDeviceCodes(app: FastifyInstance, store: Store, clock: Clock, limits: Limits): void {
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      store.deleteDeviceAuthorizationsExpiredBefore(clock().toISOString()).catch((error: unknown) => {
        app.log.warn({err: error}, 'purging expired device codes failed; the next issuance tries again')
      })
    }, limits.deviceCodePurgeIntervalSeconds * 1000).unref()
  })
  app.addHook('onClose', async () => clearInterval(timer))
}

function toApiError(error: FastifyError, request: FastifyRequest, limits: Limits): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof UnstorableText) {
    return invalidInput(error.problem === 'nul' ? 'Text in the request must not contain the NUL character (U+0000).' : LONE_SURROGATE_MESSAGE)
  }
  if (error.validation) {
    return new ApiError(400, request.routeOptions.config.validationErrorCode ?? 'invalid_input', error.message)
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', `The request body is larger than the limit of ${limits.bodyLimitBytes} bytes.`)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const expected = request.url.startsWith('/api/') ? 'application/json' : 'application/x-www-form-urlencoded or application/json'
      return new ApiError(415, 'unsupported_media_type', `Send the request body as ${expected}.`)
    }
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) return new ApiError(400, 'invalid_input', `The request is malformed: ${error.message}`)
  return new ApiError(500, 'internal_error', `The server failed to handle this request (request id ${request.id}); try again later.`)
}
