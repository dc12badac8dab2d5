import type {Clock} from './clock.js'

const WINDOW_MS = 60_000
/** Bounds memory when many addresses fail: the oldest entries are forgotten first. */
const MAX_TRACKED_ADDRESSES = 10_000

/**
 * Counts failed authentications per client address over a sliding minute.
 * Once an address has `limit` failures in the window, it is refused until the
 * oldest of them leaves the window. Kept in memory: each instance throttles
 * the traffic it sees.
 */
export class AuthFailureThrottle {
  private readonly failures = new Map<string, number[]>()

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  /** Seconds the address must wait, or 0 when it may try. */
  retryAfterSeconds(address: string): number {
    // The common case: no failures from this address (no clock read, no copy).
    if (!this.failures.has(address)) return 0
    const recent = this.recent(address)
    if (recent.length < this.limit) return 0
    const oldest = recent[recent.length - this.limit]!
    return Math.max(1, Math.ceil((oldest + WINDOW_MS - this.clock().getTime()) / 1000))
  }

  recordFailure(address: string): void {
    const recent = this.recent(address)
    recent.push(this.clock().getTime())
    this.failures.delete(address)
    this.failures.set(address, recent)
    if (this.failures.size > MAX_TRACKED_ADDRESSES) {
      const oldestAddress = this.failures.keys().next().value
      if (oldestAddress !== undefined) this.failures.delete(oldestAddress)
    }
  }

  private recent(address: string): number[] {
    const since = this.clock().getTime() - WINDOW_MS
    const recent = (this.failures.get(address) ?? []).filter((time) => time > since)
    if (recent.length === 0) this.failures.delete(address)
    return recent
  }
}
