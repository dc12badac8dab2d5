/**
 * NdCommand: the base class of every ndcli command, in the shell and in plugins.
 * It owns the -f/--format flag, credentials, the API client, rendering of the
 * value run() returns, prompts, Ctrl-C, and the mapping of every error to a
 * message and an exit code (cli.md). Commands only fetch data and return it.
 */
import {Command, Errors, Flags, type Interfaces} from '@oclif/core'
import createDebug from 'debug'

import {ApiClient, CONFIG_SETTING, DEFAULT_API_URL, DEFAULT_SETTING} from './api/client.js'
import {notLoggedInMessage, StoredCredentials, tokenFromEnv, TOKEN_ENV} from './auth/credentials.js'
import {ExitCode, ForbiddenError, InterruptedError, toNdError, UsageError} from './errors.js'
import {colorAllowed} from './output/color.js'
import {renderByStream} from './output/render.js'
import {printable} from './output/printable.js'
import {OUTPUT_FORMATS, type OutputFormat, type Rendered} from './output/types.js'
import {processIO, readAll, type IO} from './io.js'
import {confirmWith, terminalPrompter, type ConfirmOptions, type Prompter} from './prompts.js'
import {redactText} from './redact.js'
import {reportError, reportWarning} from './report.js'
import {checkApiUrl, ConfigStore, outputFormatFrom, type ConfigValues} from './store/config.js'
import {authStorageFrom, AUTH_STORAGE_ENV, CredentialStore} from './store/credentials.js'
import {Keyring} from './store/keyring.js'
import {nearest} from './suggest.js'

/** The global output flags, declared once: every NdCommand inherits them. */
export const outputFlags = {
  format: Flags.option({
    char: 'f',
    summary: 'Output format (default: output.format from config, else table).',
    options: OUTPUT_FORMATS,
    helpGroup: 'GLOBAL',
  })(),
  json: Flags.boolean({summary: 'Shorthand for --format json.', helpGroup: 'GLOBAL', exclusive: ['format']}),
}

/**
 * The credential a command needs, checked once its flags are parsed (NdCommand.init):
 * `session` = a login session only (refused under NDCLI_TOKEN: a leaked token must not mint or
 * destroy tokens); `any` = NDCLI_TOKEN (validated locally first) or the session; `none` = talks
 * to no control plane with a credential, so NDCLI_TOKEN is ignored.
 */
export type CredentialNeed = 'session' | 'any' | 'none'

export const API_URL_ENV = 'NDCLI_API_URL'

/** The API URL in use, and where it came from: `NDCLI_API_URL`, `api.url in config` or `the default`. */
export interface ApiEndpoint {
  url: string
  setting: string
}

export type NdFlags<T extends typeof Command> = Interfaces.InferredFlags<typeof outputFlags & T['flags']>
export type NdArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export abstract class NdCommand<T extends typeof Command> extends Command {
  /** Commands that print no data (e.g. `config get`) may set this to `{}`. */
  static override baseFlags: Interfaces.FlagInput = outputFlags

  /** What the command needs (see CredentialNeed); a function when it depends on the flags. */
  static credential: CredentialNeed | ((flags: Record<string, unknown>) => CredentialNeed) = 'any'

  /** Replaced by tests (see @ndcli/core/testing) to answer prompts without a terminal. */
  static prompter: Prompter = terminalPrompter

  /** Where the command reads and writes; @ndcli/core/testing's runCommand injects strings. */
  io: IO = processIO()

  protected flags!: NdFlags<T>
  protected args!: NdArgs<T>
  /** Aborted by Ctrl-C: requests, polling and prompts stop and the command exits 130. */
  protected readonly abort = new AbortController()

  /**
   * Debug output under `ndcli:<command id>`, so that DEBUG=ndcli* (the README's word) shows it, as
   * DEBUG=* does. oclif's own would be `oclif:ndcli:…`, a namespace nobody guesses.
   */
  protected override debug = createDebug(this.id ? `${this.config.bin}:${this.id}` : this.config.bin)

  private settings?: ConfigValues
  private apiClient?: ApiClient
  private credentialSource?: StoredCredentials
  private sessionStore?: CredentialStore
  private onSigint?: () => void

  override async init(): Promise<void> {
    await super.init()
    this.onSigint = () => {
      // A second Ctrl-C leaves at once, even if something ignores the abort.
      if (this.abort.signal.aborted) process.exit(ExitCode.interrupted)
      this.abort.abort()
    }
    process.on('SIGINT', this.onSigint)
    this.settings = await this.configStore.read()
    const ctor = this.ctor as typeof NdCommand
    const {args, flags} = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      args: ctor.args,
      strict: ctor.strict,
      enableJsonFlag: false,
    })
    this.flags = flags as NdFlags<T>
    this.args = args as NdArgs<T>
    this.checkCredential(typeof ctor.credential === 'function' ? ctor.credential(flags) : ctor.credential)
  }

  /** Before any request: a malformed NDCLI_TOKEN is refused with the reason, a session-only command under a PAT with cli.md's wording. */
  private checkCredential(need: CredentialNeed): void {
    if (need === 'none' || !this.io.env[TOKEN_ENV]) return
    if (need === 'session') {
      throw new ForbiddenError(`${sessionOnlyName(this.id ?? '')} requires interactive authentication — unset ${TOKEN_ENV} and log in with 'ndcli auth login'`, {
        code: 'pat_not_allowed',
      })
    }
    tokenFromEnv(this.io.env)
  }

  /** oclif calls run(); the base renders what it returns in the chosen format. */
  override async _run<R>(): Promise<R> {
    const result = await super._run<R>()
    if (isRendered(result)) {
      try {
        const {before, data, after} = renderByStream(this.format, result.view, result.data, {color: this.colorEnabled, width: this.terminalWidth})
        this.io.stderr.write(before)
        this.io.stdout.write(data)
        this.io.stderr.write(after)
      } catch (error) {
        await this.catch(error as Error)
      }
      if (result.exitCode) {
        // The data is out; the status says something about it (not an error: nothing more to report).
        const exit = new Errors.ExitError(result.exitCode)
        exit.skipOclifErrorHandling = true
        throw exit
      }
    }
    return result as R
  }

  override async finally(error: Error | undefined): Promise<void> {
    if (this.onSigint) process.off('SIGINT', this.onSigint)
    await super.finally(error)
  }

  /** The chosen output format; also decided from raw argv when parsing failed, so errors honour -f json. */
  protected get format(): OutputFormat {
    const flags = this.flags as {format?: OutputFormat; json?: boolean} | undefined
    if (flags) return flags.json ? 'json' : (flags.format ?? outputFormatFrom(this.settings?.['output.format']) ?? 'table')
    return formatFromArgv(this.argv) ?? outputFormatFrom(this.settings?.['output.format']) ?? 'table'
  }

  protected get colorEnabled(): boolean {
    return (this.format === 'table' || this.format === 'detailed') && colorAllowed(this.io.stdout, this.io.env)
  }

  /**
   * The width tables are fitted to: on a terminal only, as gh does (a pipe or file gets whole
   * values); COLUMNS overrides what the terminal reports, else 80 when it reports nothing.
   */
  protected get terminalWidth(): number | undefined {
    if (!this.io.stdout.isTTY) return undefined
    const columns = Number(this.io.env.COLUMNS)
    if (Number.isInteger(columns) && columns > 0) return columns
    return this.io.stdout.columns || 80
  }

  protected get configStore(): ConfigStore {
    return new ConfigStore(this.config.configDir)
  }

  protected get credentialStore(): CredentialStore {
    this.sessionStore ??= new CredentialStore(this.config.dataDir, {
      storage: authStorageFrom(this.io.env[AUTH_STORAGE_ENV], this.settings?.['auth.storage']),
      warn: (message) => this.warn(message),
      keyring: new Keyring(this.io.env),
    })
    return this.sessionStore
  }

  /**
   * NDCLI_API_URL, else api.url from config, else the embedded control plane's default; checked on
   * first use (before any request), so a command that makes none, e.g. `config set api.url`, can fix it.
   */
  protected get apiUrl(): string {
    return this.apiEndpoint.url
  }

  /** The API URL in use and the setting it came from, for messages that name the setting at fault. */
  protected get apiEndpoint(): ApiEndpoint {
    const fromEnv = this.io.env[API_URL_ENV]
    if (fromEnv) return {url: checkApiUrl(fromEnv, API_URL_ENV, `Set ${API_URL_ENV} to the control plane's URL, or unset it.`), setting: API_URL_ENV}
    const fromConfig = this.settings?.['api.url']
    if (fromConfig) {
      return {url: checkApiUrl(fromConfig, 'api.url', "Fix it with 'ndcli config set api.url <url>', or 'ndcli config unset api.url'."), setting: CONFIG_SETTING}
    }
    return {url: DEFAULT_API_URL, setting: DEFAULT_SETTING}
  }

  protected get credentials(): StoredCredentials {
    if (!this.credentialSource) {
      const {url, setting} = this.apiEndpoint
      this.credentialSource = new StoredCredentials(this.credentialStore, url, () => this.api, this.io.env)
      this.credentialSource.missingMessage = notLoggedInMessage(url, setting)
    }
    return this.credentialSource
  }

  /** The API client, built on first use. */
  protected get api(): ApiClient {
    this.apiClient ??= new ApiClient({
      baseUrl: this.apiUrl,
      apiUrlSetting: this.apiEndpoint.setting,
      userAgent: `ndcli/${this.config.version} node/${process.version} ${process.platform}`,
      credentials: this.credentials,
      connectTimeout: secondsFromEnv(this.io.env, 'NDCLI_CONNECT_TIMEOUT', 10) * 1000,
      responseTimeout: secondsFromEnv(this.io.env, 'NDCLI_TIMEOUT', 30) * 1000,
      // Only when shown: the client builds no debug line otherwise (a response line parses and masks the whole body).
      debug: this.debug.enabled ? (message) => this.debug(message) : undefined,
      warn: (message) => this.warn(message),
      signal: this.abort.signal,
    })
    return this.apiClient
  }

  /** Asks for a yes/no answer; refuses (exit 2, naming the flag to use) when nobody can answer. */
  protected confirm(message: string, options: ConfirmOptions): Promise<boolean> {
    return confirmWith((this.ctor as typeof NdCommand).prompter, printable(message), options, this.abort.signal, this.io)
  }

  /** True with --yes, else the person's answer (refused off a terminal, naming --yes): the guard of a destructive command. */
  protected async confirmUnlessYes(yes: boolean | undefined, message: string, options: ConfirmOptions): Promise<boolean> {
    return Boolean(yes) || this.confirm(message, options)
  }

  /** All of stdin, e.g. a secret piped in (never taken from argv, where ps and shell history see it). */
  protected readStdin(): Promise<string> {
    return readAll(this.io.stdin)
  }

  /** A status line for people (stderr, so stdout stays data); what it quotes cannot break the line (printable.ts). */
  protected info(message: string): void {
    this.io.stderr.write(printable(message) + '\n')
  }

  override warn(input: string | Error): string | Error {
    reportWarning(typeof input === 'string' ? input : input.message, this.io)
    return input
  }

  /** One place maps every error to its message and exit code (cli.md). */
  override async catch(error: Error): Promise<never> {
    this.debug(redactText(String(error.stack ?? error)))
    const interrupted = this.abort.signal.aborted ? new InterruptedError('Interrupted.') : this.withUsageHint(error)
    const exit = new Errors.ExitError(reportError(interrupted, this.format, this.io))
    // Already reported. Said explicitly because an installed plugin bundles its own
    // @oclif/core, whose ExitError the shell's handler does not recognise (instanceof).
    exit.skipOclifErrorHandling = true
    throw exit
  }

  /**
   * oclif's parse errors that leave the fix unsaid, an unknown flag or a missing or unexpected
   * argument, get a hint that says where the command's usage is; for an unknown flag it also
   * names the flag meant, when one is near (`--nmae` → `--name`).
   */
  private withUsageHint(error: Error): Error {
    const parsed = error as Error & {flags?: unknown; args?: unknown; parse?: unknown}
    const converted = toNdError(error)
    if (parsed.parse === undefined || converted.exitCode !== ExitCode.usage || !(Array.isArray(parsed.flags) || Array.isArray(parsed.args))) return error
    const command = [this.config.bin, ...(this.id ? [this.id.split(':').join(this.config.topicSeparator)] : [])].join(' ')
    if (!Array.isArray(parsed.flags)) return new UsageError(converted.message, {hint: `See '${command} --help'.`, cause: error})
    const ctor = this.ctor as typeof NdCommand
    const names = Object.entries({...ctor.baseFlags, ...ctor.flags})
      .filter(([, flag]) => !flag.hidden)
      .flatMap(([name, flag]) => (flag.type === 'boolean' && flag.allowNo ? [name, `no-${name}`] : [name]))
    const [only] = parsed.flags.length === 1 ? parsed.flags.map(String) : []
    const meant = only && /^--[^-=]/.test(only) ? nearest(only.slice(2).split('=')[0]!, names) : undefined
    return new UsageError(converted.message, {hint: `${meant ? `Did you mean --${meant}? ` : ''}See '${command} --help' for its flags.`, cause: error})
  }
}

function isRendered(value: unknown): value is Rendered<unknown> {
  return typeof value === 'object' && value !== null && 'view' in value && 'data' in value
}

/** cli.md's wording: "token create/revoke requires…"; other session-only commands name themselves. */
function sessionOnlyName(id: string): string {
  const words = id.split(':')
  const verb = words.at(-1)!
  const noun = words.at(-2) ?? ''
  return `${noun} ${verb === 'create' || verb === 'revoke' ? 'create/revoke' : verb}`.trim()
}

function secondsFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** -f json, -fjson, --format json, --format=json, --json. */
export function formatFromArgv(argv: string[]): OutputFormat | undefined {
  let found: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') break
    if (arg === '--json') found = 'json'
    else if (arg === '-f' || arg === '--format') found = argv[i + 1]
    else if (arg.startsWith('--format=')) found = arg.slice('--format='.length)
    else if (arg.startsWith('-f') && arg.length > 2) found = arg.slice(2).replace(/^=/, '')
  }
  return outputFormatFrom(found)
}
