/**
 * Dates and times for people. Everything is shown in the local time zone
 * (`TZ`, design/cli.md); JSON output carries the API's ISO strings unchanged.
 * Functions that compare with the present take `now` so tests are deterministic.
 */

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS
/** Up to this age `formatRelative` counts days; older times show as a date (the Go reference's RelativeTimeShort). */
const RELATIVE_DAYS_LIMIT = 7

/** The instant an API timestamp names; undefined when absent or unparseable. */
function parseTimestamp(iso: string | null): Date | undefined {
  if (iso === null || iso === '') return undefined
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? undefined : date
}

function twoDigits(n: number): string {
  return String(n).padStart(2, '0')
}

function localDate(date: Date): string {
  return `${date.getFullYear()}-${twoDigits(date.getMonth() + 1)}-${twoDigits(date.getDate())}`
}

function localTime(date: Date): string {
  return `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}`
}

/** `+02:00`, `-05:00`, `+05:30`: getTimezoneOffset() counts minutes *behind* UTC, hence the sign flip. */
function localOffset(date: Date): string {
  const minutesAhead = -date.getTimezoneOffset()
  const sign = minutesAhead < 0 ? '-' : '+'
  const absolute = Math.abs(minutesAhead)
  return `${sign}${twoDigits(Math.floor(absolute / 60))}:${twoDigits(absolute % 60)}`
}

/**
 * `2026-08-24` in local time, or `never` for a missing timestamp (e.g. a
 * token without expiry). An unparseable value is shown as received rather
 * than hidden behind `never`.
 */
export function formatDate(iso: string | null, never = 'Never'): string {
  if (iso === null || iso === '') return never
  const date = parseTimestamp(iso)
  return date ? localDate(date) : iso
}

/** `2026-05-26 14:03:07 +02:00`: a full local timestamp with its offset, for detailed views. */
export function formatDateTime(iso: string | null, never = 'Never'): string {
  if (iso === null || iso === '') return never
  const date = parseTimestamp(iso)
  return date ? `${localDate(date)} ${localTime(date)} ${localOffset(date)}` : iso
}

/**
 * How long ago, short enough for a table cell: `now` (< 1 minute), `12m`,
 * `5h`, `3d` (< 7 days), then the local date. Thresholds follow the Go
 * reference (internal/output/time.go, RelativeTimeShort). Times a little in
 * the future (client clock behind the server) count as `now`; further in the
 * future they show as a date.
 */
export function formatRelative(iso: string | null, now: Date, never = 'Never'): string {
  if (iso === null || iso === '') return never
  const date = parseTimestamp(iso)
  if (!date) return iso
  const ageMs = now.getTime() - date.getTime()
  if (ageMs < -MINUTE_MS) return localDate(date)
  if (ageMs < MINUTE_MS) return 'now'
  if (ageMs < HOUR_MS) return `${Math.floor(ageMs / MINUTE_MS)}m`
  if (ageMs < DAY_MS) return `${Math.floor(ageMs / HOUR_MS)}h`
  if (ageMs < RELATIVE_DAYS_LIMIT * DAY_MS) return `${Math.floor(ageMs / DAY_MS)}d`
  return localDate(date)
}

/** Midnight UTC of the local calendar day: day arithmetic immune to DST shifts. */
function localCalendarDay(date: Date): number {
  return Date.UTC(date.getFullYear(), date.getMonth(), date.getDate())
}

/**
 * Calendar days from `now` to `iso` in local time, as people read the dates
 * we print: 0 = expires today, 1 = tomorrow, negative = already past.
 * null when there is no (parseable) date, e.g. a token that never expires.
 */
export function daysUntil(iso: string | null, now: Date): number | null {
  const date = parseTimestamp(iso)
  if (!date) return null
  return Math.round((localCalendarDay(date) - localCalendarDay(now)) / DAY_MS)
}
