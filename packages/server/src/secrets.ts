import {randomBytes, randomInt, timingSafeEqual} from 'node:crypto'

export {secretDigest} from '@ndcli/core/pat'

/** Opaque bearer secrets; the prefix tells people and secret scanners what a leaked string is. */
export const ACCESS_TOKEN_PREFIX = 'ndat_'
export const REFRESH_TOKEN_PREFIX = 'ndrt_'

export function randomSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}

/** RFC 8628 §6.1: consonants only (no vowels, so no words), no look-alikes; 20^8 ≈ 2.6e10 codes. */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'
export const USER_CODE_LENGTH = 8

/** A user code as shown: `ABCD-EFGH`. */
export function generateUserCode(): string {
  let code = ''
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]
  return formatUserCode(code)
}

/** What people type: case, spaces and dashes do not matter. Undefined when it cannot be a user code. */
export function normalizeUserCode(input: string): string | undefined {
  const letters = input.toUpperCase().replace(/[\s-]/g, '')
  return /^[A-Z]{8}$/.test(letters) ? letters : undefined
}

export function formatUserCode(letters: string): string {
  return `${letters.slice(0, 4)}-${letters.slice(4)}`
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
