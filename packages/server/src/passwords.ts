import {randomBytes, scrypt, timingSafeEqual, type ScryptOptions} from 'node:crypto'

/**
 * Passwords are hashed with scrypt (memory-hard). The parameters are stored
 * with each hash (`scrypt$N$r$p$salt$hash`) so they can be raised later
 * without invalidating existing accounts.
 */
export interface ScryptCost {
  N: number
  r: number
  p: number
}

export const DEFAULT_SCRYPT_COST: ScryptCost = {N: 2 ** 15, r: 8, p: 1}
const KEY_LENGTH = 64
const SALT_BYTES = 16

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = {...cost, maxmem: 256 * cost.N * cost.r}
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

/** `cost` is lowered only by test fixtures; verification reads it back from the hash. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, cost)
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$')
}

/** Hash of a random password: verified against when the account does not exist, so timing does not reveal that. */
let decoyHash: Promise<string> | undefined

/** Constant-time check; `hash` undefined (unknown account) costs the same and fails. */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  const [algorithm, N, r, p, salt, expected] = (hash ?? (await (decoyHash ??= hashPassword(randomBytes(16).toString('hex'))))).split('$')
  if (algorithm !== 'scrypt' || !salt || !expected) return false
  const key = await derive(password, Buffer.from(salt, 'base64'), {N: Number(N), r: Number(r), p: Number(p)})
  const expectedKey = Buffer.from(expected, 'base64')
  return key.length === expectedKey.length && timingSafeEqual(key, expectedKey) && hash !== undefined
}
