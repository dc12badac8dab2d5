import {isIP} from 'node:net'
import {homedir} from 'node:os'
import {join} from 'node:path'

/** Tunable limits; defaults are production values, tests lower them. */
export interface Limits {
  /** Largest accepted request body. */
  bodyLimitBytes: number
  /** RFC 8628 polling interval handed to devices. */
  deviceIntervalSeconds: number
  /** Lifetime of a device code / user code. */
  deviceCodeTtlSeconds: number
  accessTokenTtlSeconds: number
  refreshTokenTtlSeconds: number
  /** Failed authentications per minute from one address before 429. */
  authFailureLimit: number
  /** Requests to POST /api/v1/credentials/revoke per minute from one address before 429. */
  credentialRevokeLimit: number
  /** Requests to POST /oauth/device/code per minute from one address before 429. */
  deviceCodeRequestLimit: number
  /** Pending (unexpired, undecided) device codes kept at once, from all addresses; past it 503. */
  maxPendingDeviceCodes: number
  /** Pending device codes of one address; past it 429. */
  maxPendingDeviceCodesPerAddress: number
  /** How often expired device codes are deleted (besides on each issuance). */
  deviceCodePurgeIntervalSeconds: number
}

export const DEFAULT_LIMITS: Limits = {
  bodyLimitBytes: 16 * 1024,
  deviceIntervalSeconds: 5,
  deviceCodeTtlSeconds: 600,
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 30 * 24 * 3600,
  authFailureLimit: 20,
  credentialRevokeLimit: 10,
  deviceCodeRequestLimit: 10,
  maxPendingDeviceCodes: 10_000,
  maxPendingDeviceCodesPerAddress: 20,
  deviceCodePurgeIntervalSeconds: 300,
}

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 4680

/** Environment variables that override limits (tests of the whole system use them). */
const LIMIT_ENV: ReadonlyArray<[string, keyof Limits]> = [
  ['NDCLI_SERVER_DEVICE_INTERVAL', 'deviceIntervalSeconds'],
  ['NDCLI_SERVER_ACCESS_TOKEN_TTL', 'accessTokenTtlSeconds'],
  ['NDCLI_SERVER_AUTH_FAILURE_LIMIT', 'authFailureLimit'],
  ['NDCLI_SERVER_CREDENTIAL_REVOKE_LIMIT', 'credentialRevokeLimit'],
  ['NDCLI_SERVER_DEVICE_CODE_LIMIT', 'deviceCodeRequestLimit'],
  ['NDCLI_SERVER_MAX_PENDING_DEVICE_CODES', 'maxPendingDeviceCodes'],
  ['NDCLI_SERVER_MAX_PENDING_DEVICE_CODES_PER_ADDRESS', 'maxPendingDeviceCodesPerAddress'],
]

export function limitsFromEnv(env: NodeJS.ProcessEnv): Partial<Limits> {
  const limits: Partial<Limits> = {}
  for (const [name, key] of LIMIT_ENV) {
    const value = env[name]
    if (value === undefined || value === '') continue
    if (!/^[1-9]\d*$/.test(value)) throw new Error(`${name} must be a positive whole number, got "${value}".`)
    limits[key] = Number(value)
  }
  return limits
}

/** $XDG_DATA_HOME/ndcli-server, else ~/.local/share/ndcli-server. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'ndcli-server')
}

/**
 * The base URL people and clients reach this server at (`--public-url`): an http(s) URL without
 * query, fragment or credentials. Returned without a trailing slash, so paths append to it.
 * Throws with a sentence naming what is wrong.
 */
export function parsePublicUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new Error(`must be an http or https URL such as https://ndcli.example.com, got "${text}"`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`must start with https:// or http://, got "${text}"`)
  if (url.search || url.hash || text.includes('?') || text.includes('#')) throw new Error(`must not have a query or fragment, got "${text}"`)
  if (url.username || url.password) throw new Error('must not contain a user name or password')
  return url.href.replace(/\/+$/, '')
}

/** What Fastify's `trustProxy` takes: a number of proxy hops, or the addresses / CIDR ranges of trusted proxies. */
export type TrustProxy = number | string[]

const PROXY_ADDRESS_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

/**
 * `--trust-proxy`: `1` (or another hop count) trusts that many proxies in front of the server;
 * otherwise a comma-separated list of proxy addresses or CIDR ranges (or `loopback`,
 * `linklocal`, `uniquelocal`). Only requests from those proxies have X-Forwarded-* honoured.
 */
export function parseTrustProxy(text: string): TrustProxy {
  if (/^[1-9]\d{0,1}$/.test(text)) return Number(text)
  const entries = text.split(',').map((entry) => entry.trim())
  for (const entry of entries) {
    if (PROXY_ADDRESS_NAMES.has(entry)) continue
    const [address, prefix, ...rest] = entry.split('/')
    const family = isIP(address ?? '')
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32))
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new Error(`must be a number of proxy hops (e.g. 1) or proxy addresses / CIDR ranges separated by commas (e.g. 10.0.0.0/8,127.0.0.1), got "${text}"`)
    }
  }
  return entries
}
