/**
 * Milliseconds on a clock that only moves forward (performance.now()): throttle windows are
 * measured on it, not on the wall clock, so a wall-clock step backwards (NTP, a VM resumed, the
 * test clock) cannot make a window last for days.
 */
export type ElapsedClock = () => number

export const monotonicClock: ElapsedClock = () => performance.now()

const WINDOW_MS = 60_000
/** Bounds memory when many keys are counted: the least recently counted are forgotten first. */
const MAX_TRACKED_KEYS = 10_000

/**
 * Counts events per key (a client address, a credential prefix) over a sliding minute. Once a key
 * has `limit` events in the window, it is refused until the oldest of them leaves the window.
 * Kept in memory: each instance counts the traffic it sees (server README: N instances allow N × limit).
 */
export class SlidingWindowLimiter {
  private readonly events = new Map<string, number[]>()

  constructor(
    private readonly limit: number,
    private readonly elapsed: ElapsedClock = monotonicClock,
  ) {}

  /** Seconds the key must wait, or 0 when it may go on. */
  retryAfterSeconds(key: string): number {
    // The common case: nothing counted for this key (no clock read, no copy).
    if (!this.events.has(key)) return 0
    const now = this.elapsed()
    const recent = this.recent(key, now)
    if (recent.length < this.limit) return 0
    const oldest = recent[recent.length - this.limit]!
    // Never more than the window, whatever the clock did.
    return Math.min(WINDOW_MS / 1000, Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)))
  }

  record(key: string): void {
    const now = this.elapsed()
    const recent = this.recent(key, now)
    recent.push(now)
    this.events.delete(key)
    this.events.set(key, recent)
    if (this.events.size > MAX_TRACKED_KEYS) {
      const oldestKey = this.events.keys().next().value
      if (oldestKey !== undefined) this.events.delete(oldestKey)
    }
  }

  /** Records the event unless the key is already at its limit: 0 when counted, else the seconds to wait. */
  take(key: string): number {
    const retryAfter = this.retryAfterSeconds(key)
    if (retryAfter === 0) this.record(key)
    return retryAfter
  }

  private recent(key: string, now: number): number[] {
    const since = now - WINDOW_MS
    const recent = (this.events.get(key) ?? []).filter((time) => time > since && time <= now)
    if (recent.length === 0) this.events.delete(key)
    return recent
  }
}

/** Failed authentications: only failures are recorded, so a key's successes never count against it. */
export class AuthFailureThrottle extends SlidingWindowLimiter {
  recordFailure(key: string): void {
    this.record(key)
  }
}

/** Characters of a presented secret that key its failures: a PAT's display prefix (`ndpat_` and 6), never enough to use. */
const CREDENTIAL_KEY_LENGTH = 12

/**
 * Failures per presented credential, for the credentials that are checked before any address
 * throttle applies. A valid credential is served whatever its address did, so an address shared
 * with a failing client (a NAT, a CI runner) locks no one out; guessing is bounded per credential
 * instead: after `limit` failures in a minute with one prefix, that prefix is refused (429) before
 * it is checked — except a secret this instance has verified before (the 10 000 most recent), so that
 * someone who knows a token's listed prefix cannot lock out an owner who has used it: a secret that
 * was valid once is no guess (it is still checked, so a revocation applies).
 * Per instance, like the address counts (server README).
 */
export class CredentialFailureThrottle {
  private readonly failures: SlidingWindowLimiter
  /** Digests verified before; insertion order is the order of their last success. */
  private readonly verified = new Set<string>()

  constructor(limit: number, elapsed: ElapsedClock = monotonicClock) {
    this.failures = new SlidingWindowLimiter(limit, elapsed)
  }

  /** Seconds to wait before this secret may be checked, or 0. */
  retryAfterSeconds(secret: string, digest: string): number {
    const retryAfter = this.failures.retryAfterSeconds(secret.slice(0, CREDENTIAL_KEY_LENGTH))
    return retryAfter === 0 || this.verified.has(digest) ? 0 : retryAfter
  }

  recordFailure(secret: string): void {
    this.failures.record(secret.slice(0, CREDENTIAL_KEY_LENGTH))
  }

  recordSuccess(digest: string): void {
    this.verified.delete(digest)
    this.verified.add(digest)
    if (this.verified.size > MAX_TRACKED_KEYS) {
      const oldest = this.verified.keys().next().value
      if (oldest !== undefined) this.verified.delete(oldest)
    }
  }
}
