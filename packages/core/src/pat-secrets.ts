/** The server's part of the token format: generation from the CSPRNG and the stored digest. */
import {createHash, randomBytes} from 'node:crypto'

import {PAT_PREFIX, PAT_RANDOM_BYTES, crc32} from './pat-format.js'

/** A new token from the CSPRNG. */
export function generatePat(random: (size: number) => Buffer = randomBytes): string {
  const body = Buffer.alloc(PAT_RANDOM_BYTES + 4)
  random(PAT_RANDOM_BYTES).copy(body, 0)
  body.writeUInt32BE(crc32(body.subarray(0, PAT_RANDOM_BYTES)), PAT_RANDOM_BYTES)
  return PAT_PREFIX + body.toString('base64url')
}

/** SHA-256 hex digest: the only form in which the server keeps a secret. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}
