import type {FastifyInstance, FastifyRequest} from 'fastify'
import {addSeconds} from '../clock.js'
import type {AppContext} from '../context.js'
import {UniqueViolation, type DeviceAuthorization, type SessionTokens} from '../db/index.js'
import {ApiError, credentialThrottled, oauthError, rateLimited, tooManyPendingSignIns} from '../errors.js'
import {SlidingWindowLimiter} from '../throttle.js'
import {
  ACCESS_TOKEN_PREFIX,
  generateUserCode,
  normalizeUserCode,
  randomSecret,
  REFRESH_TOKEN_PREFIX,
  secretDigest,
} from '../secrets.js'

/** The one public client this server knows: the ndcli command line. */
export const CLIENT_ID = 'ndcli'
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval. */
const SLOW_DOWN_STEP_SECONDS = 5
const USER_CODE_ATTEMPTS = 3

const singleValue = {type: 'string', description: 'must be given once, as a string'} as const

/** OAuth allows unknown parameters (they are ignored); a repeated one is an error. */
function formSchema(names: readonly string[]) {
  return {type: 'object', properties: Object.fromEntries(names.map((name) => [name, singleValue]))} as const
}

type Form = Partial<Record<string, string>>

function requireParam(form: Form, name: string): string {
  const value = form[name]
  if (!value) throw oauthError('invalid_request', `${name} is required.`)
  return value
}

export function registerOAuthRoutes(app: FastifyInstance, {store, clock, elapsed, limits, throttle, credentialThrottle, publicUrl}: AppContext): void {
  // Every request counts, answered or not: a sign-in starts with one, and a flood is what this bounds.
  const deviceCodeRequests = new SlidingWindowLimiter(limits.deviceCodeRequestLimit, elapsed)
  const config = {validationErrorCode: 'invalid_request', oauthErrors: true}
  /** Where people and clients reach this server: the configured public URL, else the request's own origin. */
  const baseUrl = (request: FastifyRequest) => publicUrl ?? `${request.protocol}://${request.host}`

  // RFC 8414: what a standard client discovers before it starts. The issuer is the base URL itself.
  app.get('/.well-known/oauth-authorization-server', async (request) => {
    const issuer = baseUrl(request)
    return {
      issuer,
      device_authorization_endpoint: `${issuer}/oauth/device/code`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      grant_types_supported: [DEVICE_CODE_GRANT, 'refresh_token'],
      // No authorization endpoint: no response type is supported.
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
    }
  })

  app.post<{Body: Form}>(
    '/oauth/device/code',
    {config, schema: {body: formSchema(['client_id', 'scope'])}},
    async (request) => {
      if (requireParam(request.body ?? {}, 'client_id') !== CLIENT_ID) {
        throw oauthError('invalid_client', `Unknown client_id: this server only knows "${CLIENT_ID}".`)
      }
      const retryAfter = deviceCodeRequests.take(request.ip)
      if (retryAfter > 0) throw rateLimited(retryAfter, 'sign-ins started')
      const now = clock()
      await store.deleteDeviceAuthorizationsExpiredBefore(now.toISOString())
      const deviceCode = randomSecret()
      const caps = {total: limits.maxPendingDeviceCodes, perAddress: limits.maxPendingDeviceCodesPerAddress}
      const {userCode, outcome} = await insertWithFreshUserCode(async (letters) =>
        store.createDeviceAuthorization(
          {
            deviceCodeDigest: secretDigest(deviceCode),
            userCodeDigest: secretDigest(letters),
            clientId: CLIENT_ID,
            clientAddress: request.ip,
            intervalSeconds: limits.deviceIntervalSeconds,
            expiresAt: addSeconds(now, limits.deviceCodeTtlSeconds).toISOString(),
            createdAt: now.toISOString(),
          },
          caps,
        ),
      )
      // A pending code ends when it expires: a minute is a fair wait for one of them to.
      if (outcome === 'address') throw rateLimited(60, 'sign-ins in progress')
      if (outcome === 'total') throw tooManyPendingSignIns(60)
      const verificationUri = `${baseUrl(request)}/activate`
      return {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
        expires_in: limits.deviceCodeTtlSeconds,
        interval: limits.deviceIntervalSeconds,
      }
    },
  )

  app.post<{Body: Form}>(
    '/oauth/token',
    {config, schema: {body: formSchema(['grant_type', 'client_id', 'device_code', 'refresh_token'])}},
    async (request) => {
      const form = request.body ?? {}
      const grantType = requireParam(form, 'grant_type')
      if (grantType !== DEVICE_CODE_GRANT && grantType !== 'refresh_token') {
        throw oauthError('unsupported_grant_type', `grant_type must be one of: ${DEVICE_CODE_GRANT}, refresh_token.`)
      }
      const secret = grantType === DEVICE_CODE_GRANT ? requireParam(form, 'device_code') : requireParam(form, 'refresh_token')
      // As for bearer credentials (auth.ts): a code or token that is valid is served whatever its address did.
      const digest = secretDigest(secret)
      const guessedTooOften = credentialThrottle.retryAfterSeconds(secret, digest)
      if (guessedTooOften > 0) throw credentialThrottled(guessedTooOften)
      try {
        const tokens = grantType === DEVICE_CODE_GRANT ? await exchangeDeviceCode(digest, form.client_id) : await refreshSession(request, digest)
        credentialThrottle.recordSuccess(digest)
        return tokens
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'invalid_grant') throw error
        credentialThrottle.recordFailure(secret)
        const retryAfter = throttle.retryAfterSeconds(request.ip)
        if (retryAfter > 0) throw rateLimited(retryAfter)
        throttle.recordFailure(request.ip)
        throw error
      }
    },
  )

  // RFC 7009: the answer is 200 whether or not the token was valid, so it reveals nothing.
  app.post<{Body: Form}>(
    '/oauth/revoke',
    {config, schema: {body: formSchema(['token', 'token_type_hint', 'client_id'])}},
    async (request, reply) => {
      await store.deleteSessionByToken(secretDigest(requireParam(request.body ?? {}, 'token')))
      return reply.code(200).send()
    },
  )

  /** Device codes are random; user codes are short, so a collision is retried with a new one. */
  async function insertWithFreshUserCode<T>(insert: (letters: string) => Promise<T>): Promise<{userCode: string; outcome: T}> {
    for (let attempt = 1; ; attempt++) {
      const userCode = generateUserCode()
      try {
        return {userCode, outcome: await insert(normalizeUserCode(userCode)!)}
      } catch (error) {
        if (!(error instanceof UniqueViolation) || attempt === USER_CODE_ATTEMPTS) throw error
      }
    }
  }

  async function exchangeDeviceCode(deviceCodeDigest: string, clientId: string | undefined) {
    const grant = await store.findDeviceAuthorizationByDeviceCode(deviceCodeDigest)
    if (!grant || (clientId !== undefined && clientId !== grant.clientId)) {
      throw oauthError('invalid_grant', 'The device code is not valid: start the sign-in again.')
    }
    const now = clock()
    if (grant.status === 'consumed') {
      throw oauthError('invalid_grant', 'The device code has already been used: start the sign-in again.')
    }
    if (now.toISOString() >= grant.expiresAt) {
      throw oauthError('expired_token', 'The sign-in request has expired: start the sign-in again.')
    }
    if (grant.status === 'denied') throw oauthError('access_denied', 'The sign-in request was denied in the browser.')
    if (grant.status === 'pending') throw await pollPending(grant, now)
    if (!grant.userId || !(await store.consumeDeviceAuthorization(grant.id))) {
      throw oauthError('invalid_grant', 'The device code has already been used: start the sign-in again.')
    }
    return startSession(grant.userId, now)
  }

  /** RFC 8628 §3.5: polling sooner than the interval earns slow_down and a longer interval. */
  async function pollPending(grant: DeviceAuthorization, now: Date): Promise<ApiError> {
    const tooSoon =
      grant.lastPolledAt !== null && now.getTime() - Date.parse(grant.lastPolledAt) < grant.intervalSeconds * 1000
    const interval = tooSoon ? grant.intervalSeconds + SLOW_DOWN_STEP_SECONDS : grant.intervalSeconds
    await store.recordDevicePoll(grant.id, now.toISOString(), interval)
    return tooSoon
      ? oauthError('slow_down', `Polling too often: wait ${interval} seconds between requests.`)
      : oauthError('authorization_pending', 'Waiting for the sign-in to be approved in the browser.')
  }

  function newTokens(now: Date) {
    const accessToken = randomSecret(ACCESS_TOKEN_PREFIX)
    const refreshToken = randomSecret(REFRESH_TOKEN_PREFIX)
    const stored: SessionTokens = {
      accessTokenDigest: secretDigest(accessToken),
      accessExpiresAt: addSeconds(now, limits.accessTokenTtlSeconds).toISOString(),
      refreshTokenDigest: secretDigest(refreshToken),
      refreshExpiresAt: addSeconds(now, limits.refreshTokenTtlSeconds).toISOString(),
    }
    const response = {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: limits.accessTokenTtlSeconds,
    }
    return {stored, response}
  }

  async function startSession(userId: string, now: Date) {
    const {stored, response} = newTokens(now)
    await store.createSession({...stored, userId, createdAt: now.toISOString()})
    return response
  }

  async function refreshSession(request: FastifyRequest, refreshTokenDigest: string) {
    const now = clock()
    const {stored, response} = newTokens(now)
    const outcome = await store.rotateSession(refreshTokenDigest, stored, now.toISOString())
    if (outcome === 'reused') {
      request.log.warn('a rotated refresh token was presented again: its session is ended')
      throw oauthError('invalid_grant', 'The refresh token was already used, so the session has been ended: sign in again with `ndcli auth login`.')
    }
    if (outcome === 'invalid') {
      throw oauthError('invalid_grant', 'The refresh token is not valid or has expired: sign in again with `ndcli auth login`.')
    }
    return response
  }
}
