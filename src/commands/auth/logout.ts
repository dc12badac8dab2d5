import {NdCommand, TOKEN_ENV, tryRevokeSession} from '@ndcli/core'

export default class AuthLogout extends NdCommand<typeof AuthLogout> {
  static override summary = 'Log out: end the session on the server and delete it locally.'
  // Manages the stored session and never sends NDCLI_TOKEN: a bad token must not stop it.
  static override credential = 'none' as const
  static override description = `Revokes the stored session on the server, then deletes it from this machine. When the server cannot be reached the local session is deleted anyway, with a warning. ${TOKEN_ENV} is not affected: unset it yourself.`
  static override examples = ['<%= config.bin %> <%= command.id %>']
  static override baseFlags = {}

  async run(): Promise<void> {
    const session = await this.credentials.loadSession()
    if (!session) {
      this.info(`Not logged in to ${this.apiUrl}.`)
      return
    }
    // Best effort: a session the server cannot end must still leave this machine.
    const failure = await tryRevokeSession(this.api, session, this.abort.signal)
    if (failure) this.warn(`Could not revoke the session on the server: ${failure.message} It stays valid there until it expires.`)
    await this.credentialStore.delete(this.apiUrl)
    this.info(`✓ Logged out of ${this.apiUrl} (${session.email})`)
    if (this.io.env[TOKEN_ENV]) this.warn(`${TOKEN_ENV} is still set: unset it too to stop using that token.`)
  }
}
