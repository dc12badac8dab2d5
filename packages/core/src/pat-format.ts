/**
 * Personal access token format (api.md): `ndpat_` + base64url(28 random bytes ‖ CRC-32 of them, big-endian).
 * The client's part (early validation of NDCLI_TOKEN, redaction): no node:crypto, whose loading
 * is ~5 ms of every start-up. Generation and digests are in pat-secrets.ts.
 * Nothing here ever puts the token value into a message.
 */

export const PAT_PREFIX = 'ndpat_'
export const PAT_BODY_LENGTH = 43
export const PAT_LENGTH = PAT_PREFIX.length + PAT_BODY_LENGTH
export const PAT_DISPLAY_PREFIX_LENGTH = 12
export const PAT_RANDOM_BYTES = 28
const BASE64URL = /^[A-Za-z0-9_-]*$/

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xed_b8_83_20 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (IEEE 802.3, as zlib and Go's hash/crc32). */
export function crc32(data: Uint8Array): number {
  let crc = 0xff_ff_ff_ff
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xff_ff_ff_ff) >>> 0
}

export type PatProblem = 'prefix' | 'length' | 'alphabet' | 'checksum'
export type PatCheck = {valid: true} | {valid: false; problem: PatProblem; reason: string}

/**
 * Checks the format of a token without a request. The reason names what is
 * wrong (e.g. "looks truncated: 40 of 43 characters") and never the value.
 */
export function validatePat(value: string): PatCheck {
  if (!value.startsWith(PAT_PREFIX)) {
    return {valid: false, problem: 'prefix', reason: `does not start with "${PAT_PREFIX}"`}
  }
  const body = value.slice(PAT_PREFIX.length)
  if (!BASE64URL.test(body)) {
    return {valid: false, problem: 'alphabet', reason: 'contains characters outside the base64url alphabet (A-Z a-z 0-9 - _)'}
  }
  if (body.length < PAT_BODY_LENGTH) {
    return {valid: false, problem: 'length', reason: `looks truncated: ${body.length} of ${PAT_BODY_LENGTH} characters after "${PAT_PREFIX}"`}
  }
  if (body.length > PAT_BODY_LENGTH) {
    return {valid: false, problem: 'length', reason: `is too long: ${body.length} characters after "${PAT_PREFIX}", expected ${PAT_BODY_LENGTH}`}
  }
  const bytes = Buffer.from(body, 'base64url')
  // 43 base64url characters carry 258 bits; the last 2 must be zero in a canonical encoding.
  if (bytes.length !== PAT_RANDOM_BYTES + 4 || bytes.toString('base64url') !== body) {
    return {valid: false, problem: 'checksum', reason: 'has a checksum that does not match: the token is mistyped or damaged'}
  }
  if (crc32(bytes.subarray(0, PAT_RANDOM_BYTES)) !== bytes.readUInt32BE(PAT_RANDOM_BYTES)) {
    return {valid: false, problem: 'checksum', reason: 'has a checksum that does not match: the token is mistyped or damaged'}
  }
  return {valid: true}
}

/** The 12 characters shown in lists (`ndpat_Jj8IYR`): identifies a token without exposing it. */
export function patDisplayPrefix(token: string): string {
  return token.slice(0, PAT_DISPLAY_PREFIX_LENGTH)
}
