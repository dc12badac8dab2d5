import {Flags} from '@oclif/core'
import {
  NdCommand,
  Spinner,
  TOKEN_ENV,
  canOpenBrowser,
  fetchAccount,
  formatCountdown,
  pollForSession,
  requestDeviceCode,
  sessionFrom,
  storedSessionAccount,
  tryRevokeSession,
  type TokenResponse,
} from '@ndcli/core'

export default class AuthLogin extends NdCommand<typeof AuthLogin> {
  static override summary = 'Log in through the browser.'
  // Manages the stored session and never sends NDCLI_TOKEN: a bad token must not stop it.
  static override credential = 'none' as const
  static override description = `Shows a one-time code and opens the sign-in page, where you enter the code, your email and password. ndcli waits until you approve (or deny) the request, then stores the session for this API URL.

The browser is not opened with --no-browser, in CI, or without a display; open the printed URL on any device instead. ${TOKEN_ENV}, when set, takes precedence over the stored session.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --no-browser', '<%= config.bin %> <%= command.id %> --force']
  static override flags = {
    'no-browser': Flags.boolean({summary: 'Print the sign-in URL instead of opening a browser.'}),
    force: Flags.boolean({summary: 'Log in again even when a session is already stored (which is then ended on the server).'}),
  }
  // Nothing to render: the outcome is one status line on stderr.
  static override baseFlags = {}

  async run(): Promise<void> {
    const current = this.flags.force ? undefined : await storedSessionAccount(this.api, this.credentials)
    if (current) {
      this.info(`Already logged in to ${this.apiUrl} as ${current.email}. Use --force to log in again.`)
      return
    }

    const authorization = await requestDeviceCode(this.api)
    const expiresAt = Date.now() + authorization.expires_in * 1000
    this.info(`! First copy your one-time code: ${authorization.user_code}`)
    // The complete link fills the code in; the short one is for typing it on another device.
    const link = authorization.verification_uri_complete || authorization.verification_uri
    if (this.flags['no-browser'] || !canOpenBrowser()) {
      this.info(`Then open ${link} in a browser (the code is filled in), or open ${authorization.verification_uri} and enter it.`)
    } else {
      this.info(`Opening ${link} in your browser…`)
      await this.openBrowser(link, authorization.verification_uri)
    }

    // On a terminal, a spinner counts down the code's lifetime; elsewhere (logs, pipes) one plain line.
    const waiting = 'Waiting for you to approve in the browser'
    const spinner = Spinner.supported(this.io.stderr, this.io.env)
      ? new Spinner(this.io.stderr, () => `${waiting} · code expires in ${formatCountdown(expiresAt - Date.now())} · Ctrl-C cancels`)
      : undefined
    if (spinner) spinner.start()
    else this.info(`${waiting} (Ctrl-C to cancel)…`)
    let tokens: TokenResponse
    try {
      tokens = await pollForSession(this.api, authorization, {
        signal: this.abort.signal,
        onSlowDown: (seconds) => this.debug(`the server asked to slow down: polling every ${seconds} s`),
        onUnreachable: (error, failures) => {
          const warning = `${error.message} Still waiting: trying again, less often, until the code expires (Ctrl-C to stop).`
          if (failures !== 1) return
          if (spinner) spinner.print(() => this.warn(warning))
          else this.warn(warning)
        },
      })
    } finally {
      // Approved, denied, expired or Ctrl-C: the line is erased before anything else is said.
      spinner?.stop()
    }
    const issuedAt = new Date()
    const account = await fetchAccount(this.api, {kind: 'session', token: tokens.access_token})
    const replaced = await this.credentials.loadSession()
    await this.credentialStore.save(this.apiUrl, sessionFrom(tokens, account.email, issuedAt))
    this.info(`✓ Logged in as ${account.email}`)
    // The session this login replaces would otherwise stay valid on the server until it expires.
    const failure = replaced && (await tryRevokeSession(this.api, replaced, this.abort.signal))
    if (failure) this.warn(`Could not end the previous session on the server: ${failure.message} It stays valid there until it expires.`)
    if (this.io.env[TOKEN_ENV]) this.warn(`${TOKEN_ENV} is set and takes precedence over this session: unset it to use the session.`)
  }

  /** Best effort: a browser that fails to start must not end the login — the URL is on screen. */
  private async openBrowser(url: string, fallbackUrl: string): Promise<void> {
    const cannotOpen = (error: Error) => this.warn(`Could not open a browser (${error.message}). Open ${fallbackUrl} yourself.`)
    try {
      // Loaded only when a browser is opened: `open` and its platform probes cost every other run.
      const {default: open} = await import('open')
      const child = await open(url)
      child.once('error', cannotOpen)
    } catch (error) {
      cannotOpen(error as Error)
    }
  }
}
