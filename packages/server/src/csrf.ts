import {createHmac, randomBytes} from 'node:crypto'
import type {Clock} from './clock.js'
import type {Store} from './db/index.js'
import {randomSecret, safeEqual} from './secrets.js'

/** The name of the HMAC key in the server_secrets table. */
const KEY_NAME = 'activate-csrf-key'

/**
 * CSRF tokens of the sign-in form, bound to the server: the browser holds a random nonce in a
 * cookie, the form holds `issuedAt.HMAC(key, nonce, issuedAt, user code)`. Without the key (kept in
 * the database, so every instance shares it) nobody can make a field that matches a cookie, so
 * setting both to any equal value no longer passes. A form rendered for a user code only approves
 * that code; a blank form (the code typed in) is bound to the empty code and takes any.
 */
export class SignInFormTokens {
  #key: Promise<Buffer> | undefined

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** How long a rendered form can be submitted: no device code outlives it. */
    private readonly maxAgeSeconds: number,
  ) {}

  /** A new form: the nonce goes to the cookie, the token to the hidden field. */
  async issue(userCodeLetters: string | undefined): Promise<{nonce: string; token: string}> {
    const key = await this.key()
    const nonce = randomSecret()
    const issuedAt = this.nowSeconds()
    return {nonce, token: `${issuedAt}.${mac(key, nonce, issuedAt, userCodeLetters ?? '')}`}
  }

  /** Whether the field's token was issued by a server sharing this database, with this cookie's nonce, recently, for this code or a blank form. */
  async verify(nonce: string | undefined, token: string, userCodeLetters: string | undefined): Promise<boolean> {
    const match = /^(\d{1,12})\.([\w-]{43})$/.exec(token)
    if (!nonce || !match) return false
    const issuedAt = Number(match[1])
    const age = this.nowSeconds() - issuedAt
    // A little slack for instances whose clocks differ by a second or two.
    if (age > this.maxAgeSeconds || age < -5) return false
    const key = await this.key()
    const candidates = userCodeLetters ? [userCodeLetters, ''] : ['']
    return candidates.some((letters) => safeEqual(mac(key, nonce, issuedAt, letters), match[2]!))
  }

  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000)
  }

  /** Read (or made, by the first instance) once per process; a failed read is retried on the next form. */
  private key(): Promise<Buffer> {
    if (!this.#key) {
      const loading = this.store
        .serverSecret(KEY_NAME, randomBytes(32).toString('base64url'), this.clock().toISOString())
        .then((value) => Buffer.from(value, 'base64url'))
      loading.catch(() => {
        if (this.#key === loading) this.#key = undefined
      })
      this.#key = loading
    }
    return this.#key
  }
}

function mac(key: Buffer, nonce: string, issuedAt: number, userCodeLetters: string): string {
  return createHmac('sha256', key).update(`ndcli activate\n${nonce}\n${issuedAt}\n${userCodeLetters}`).digest('base64url')
}
