/** Every read of the current time goes through a Clock, so tests can move time instead of waiting. */
export type Clock = () => Date

export const systemClock: Clock = () => new Date()

/** A clock shifted by a settable offset: used by tests, and by `PUT /__test/clock` when NDCLI_SERVER_TEST_CLOCK=1. */
export interface AdjustableClock {
  readonly now: Clock
  /**
   * Monotonic milliseconds for throttle windows: moved forward by raising the offset (time passing,
   * in a test), never back by lowering it (a wall-clock step backwards, which a monotonic clock ignores).
   */
  readonly elapsed: () => number
  /** Sets (not adds to) the offset from the underlying clock. */
  setOffsetSeconds(seconds: number): void
}

export function offsetClock(base: Clock = systemClock): AdjustableClock {
  let offsetMs = 0
  let advancedMs = 0
  return {
    now: () => new Date(base().getTime() + offsetMs),
    elapsed: () => performance.now() + advancedMs,
    setOffsetSeconds(seconds) {
      const next = seconds * 1000
      advancedMs += Math.max(0, next - offsetMs)
      offsetMs = next
    },
  }
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000)
}
