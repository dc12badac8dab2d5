/**
 * The one error hierarchy of ndcli. Each error knows its exit code (cli.md)
 * and a machine code for `-f json`; NdCommand.catch() renders every one of them.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  unauthenticated: 3,
  forbidden: 4,
  notFound: 5,
  conflict: 6,
  unreachable: 7,
  interrupted: 130,
} as const

export interface NdErrorOptions {
  /** Machine-readable code, e.g. the API's `name_taken`. */
  code?: string
  /** A second line telling the user what to do next. */
  hint?: string
  cause?: unknown
}

export class NdError extends Error {
  readonly exitCode: number = ExitCode.unexpected
  readonly code: string
  readonly hint?: string

  constructor(message: string, options: NdErrorOptions = {}) {
    super(message, {cause: options.cause})
    this.name = new.target.name
    this.code = options.code ?? 'error'
    this.hint = options.hint
  }
}

function errorClass(name: string, exitCode: number, defaultCode: string) {
  const cls = class extends NdError {
    override readonly exitCode = exitCode
    constructor(message: string, options: NdErrorOptions = {}) {
      super(message, {code: defaultCode, ...options})
    }
  }
  Object.defineProperty(cls, 'name', {value: name})
  return cls
}

/** Bad flag, argument or value; also a prompt that nobody can answer (exit 2). */
export const UsageError = errorClass('UsageError', ExitCode.usage, 'usage_error')
/** No credential, or the server rejected it (exit 3). */
export const AuthenticationError = errorClass('AuthenticationError', ExitCode.unauthenticated, 'unauthenticated')
/** The credential may not do this (exit 4). */
export const ForbiddenError = errorClass('ForbiddenError', ExitCode.forbidden, 'forbidden')
export const NotFoundError = errorClass('NotFoundError', ExitCode.notFound, 'not_found')
export const ConflictError = errorClass('ConflictError', ExitCode.conflict, 'conflict')
/** The control plane could not be reached, timed out, or answered 5xx after retries (exit 7). */
export const UnreachableError = errorClass('UnreachableError', ExitCode.unreachable, 'unreachable')
/** Ctrl-C (exit 130). */
export const InterruptedError = errorClass('InterruptedError', ExitCode.interrupted, 'interrupted')

export type UsageError = InstanceType<typeof UsageError>
export type AuthenticationError = InstanceType<typeof AuthenticationError>
export type ForbiddenError = InstanceType<typeof ForbiddenError>
export type NotFoundError = InstanceType<typeof NotFoundError>
export type ConflictError = InstanceType<typeof ConflictError>
export type UnreachableError = InstanceType<typeof UnreachableError>
export type InterruptedError = InstanceType<typeof InterruptedError>

/** An error answer of the control plane: `{"error": {code, message}}` and its HTTP status. */
export class ApiError extends NdError {
  override readonly exitCode: number
  readonly status: number
  /** A 429's or 503's Retry-After in seconds, when the server sent one: a caller that may resend (e.g. scan --revoke) waits that long. */
  readonly retryAfterSeconds?: number

  constructor(status: number, code: string, message: string, options: Omit<NdErrorOptions, 'code'> & {retryAfterSeconds?: number} = {}) {
    super(message, {...options, code})
    this.status = status
    this.exitCode = exitCodeForStatus(status)
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

export function exitCodeForStatus(status: number): number {
  if (status === 401) return ExitCode.unauthenticated
  if (status === 403) return ExitCode.forbidden
  if (status === 404) return ExitCode.notFound
  if (status === 409) return ExitCode.conflict
  if (status >= 500) return ExitCode.unreachable
  if (status === 400 || status === 413 || status === 415 || status === 422) return ExitCode.usage
  return ExitCode.unexpected
}

interface OclifLikeError {
  message: string
  oclif?: {exit?: number}
  name?: string
  code?: string
  /** RequiredArgsError: the missing arguments' definitions (UnexpectedArgsError: the words given). */
  args?: unknown
}

/** An argument's definition, as oclif's RequiredArgsError carries it. */
interface ArgDefinition {
  name: string
  description?: string
  options?: readonly string[]
}

/**
 * Any thrown value → an NdError: ours pass through; oclif parse errors are
 * usage errors (exit 2); prompt cancellation and aborts are interruptions.
 */
export function toNdError(error: unknown): NdError {
  if (error instanceof NdError) return error
  const err = (error ?? {}) as OclifLikeError
  const message = typeof err.message === 'string' && err.message ? err.message : String(error)
  if (err.name === 'ExitPromptError' || err.name === 'AbortError' || err.name === 'AbortPromptError') {
    return new InterruptedError('Interrupted.', {cause: error})
  }
  if (err.oclif?.exit === ExitCode.usage) {
    return new UsageError(missingArgumentsMessage(err.args) ?? firstLine(message), {cause: error})
  }
  if (typeof err.oclif?.exit === 'number' && err.oclif.exit !== ExitCode.unexpected) {
    const converted = new NdError(firstLine(message), {cause: error})
    Object.defineProperty(converted, 'exitCode', {value: err.oclif.exit})
    return converted
  }
  return new NdError(firstLine(message) || 'Unexpected error.', {cause: error, code: 'unexpected'})
}

/** Errors print one line (cli.md); oclif's parse errors sometimes carry several. */
function firstLine(message: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter(Boolean)
  if (lines.length <= 1) return lines[0] ?? ''
  // oclif: "Expected --scope=x to be one of: RW, RO\nSee more help with --help"; a flag's own
  // parse() error also comes wrapped as "Parsing --scope \n\t<message>\n…" — the message names the flag.
  const kept = lines.filter((line) => !/^See more help with/.test(line) && !/^Parsing --\S+$/.test(line) && !/^The following errors? occurred:$/.test(line))
  // oclif says "Missing required flag <name>" once per flag: one sentence names them all, as typed.
  const missingFlag = /^Missing required flag (\w[\w-]*)$/
  const missing = kept.flatMap((line) => missingFlag.exec(line)?.[1] ?? []).map((name) => `--${name}`)
  const others = kept.filter((line) => !missingFlag.test(line))
  if (missing.length === 0) return others.join(' ')
  const flags = missing.length === 1 ? `flag ${missing[0]}` : `flags ${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`
  return [`Missing required ${flags}`, ...others].join(' ')
}

/**
 * oclif's RequiredArgsError lists the arguments in columns that one line runs together
 * (`Missing 1 required arg: key  (api.url|…) Setting name`): `Missing required argument KEY:
 * Setting name, one of api.url, …`, or `Missing required arguments KEY and VALUE`.
 */
function missingArgumentsMessage(args: unknown): string | undefined {
  if (!Array.isArray(args)) return undefined
  const missing = args.filter((arg): arg is ArgDefinition => typeof arg === 'object' && arg !== null && typeof arg.name === 'string')
  if (missing.length === 0) return undefined
  const names = missing.map((arg) => arg.name.toUpperCase())
  if (missing.length > 1) return `Missing required arguments ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
  const [arg] = missing
  const parts = [arg!.description?.replace(/\.$/, ''), arg!.options && `one of ${arg!.options.join(', ')}`].filter(Boolean)
  return `Missing required argument ${names[0]}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`
}
