/**
 * Flags shared by the token commands: durations (`--grace 2m`, `--expiring-within 14d`) and
 * `--quiet` (only the secret on stdout). Bad values are usage errors (exit 2) naming the syntax.
 */
import {Errors, Flags} from '@oclif/core'

/**
 * "It found what it was asked to look for": `list --fail-if-any` and `scan` (cli.md). Not 1 (an unexpected error) nor 2–7 (usage, credential,
 * permission, not found, conflict, unreachable), so a CI job can tell "a token lapses soon"
 * from "the check itself failed"; the next free code of cli.md's table, well below the
 * shell's 126+ range.
 */
export const TOKENS_MATCHED_EXIT_CODE = 8

const UNIT_SECONDS = {s: 1, m: 60, h: 3600, d: 86_400} as const
const DURATION = /^(\d{1,7})([smhd])$/
export const DURATION_SYNTAX = 'a whole number followed by s, m, h or d (e.g. 90s, 2m, 12h, 14d)'

/** `<n>s|m|h|d` → seconds; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text)
  if (!match) return undefined
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS]
}

/** Seconds → the largest unit that counts them exactly: 1209600 → `14d`, 120 → `2m`, 90 → `90s`. */
export function formatDuration(seconds: number): string {
  const [unit, size] = Object.entries(UNIT_SECONDS).reverse().find(([, size]) => seconds % size === 0 && seconds > 0) ?? ['s', 1]
  return `${seconds / size}${unit}`
}

/** A duration flag, parsed to seconds, at most `maxSeconds` (its text form named in the error). */
export function durationFlag(options: {description: string; max?: {seconds: number; text: string}}) {
  return Flags.custom<number>({
    description: options.description,
    helpValue: '<duration>',
    async parse(input, _context, flag) {
      const seconds = parseDuration(input)
      if (seconds === undefined) throw new Errors.CLIError(`Expected --${flag.name}=${input} to be a duration: ${DURATION_SYNTAX}.`, {exit: 2})
      if (options.max && seconds > options.max.seconds) {
        throw new Errors.CLIError(`Expected --${flag.name}=${input} to be at most ${options.max.text}.`, {exit: 2})
      }
      return seconds
    },
  })()
}

/** `create|rotate --quiet`: exactly the secret and a newline on stdout, for piping into a secret store. */
export const quietFlag = Flags.boolean({
  char: 'q',
  description: 'Print only the token and a newline on stdout (for piping into a secret store); nothing else is printed except errors.',
  // Exclusive with both, declared so that help's usage line reads `[-q | [--json | -f …]]`: --json's own
  // `exclusive: ['format']` has already grouped the two there, and listing format here as well would
  // render an empty alternative (`[-q |  | …]`); `relationships` is checked when parsing but not drawn.
  exclusive: ['json'],
  relationships: [{type: 'none', flags: ['format']}],
})
