import {AUTH_STORAGE_ENV, KeyringUnavailable, NdCommand, NdError, UsageError, authStorageFrom} from '@ndcli/core'

export default class AuthMigrate extends NdCommand<typeof AuthMigrate> {
  static override summary = 'Move login sessions from the plain-text file into the OS keyring.'
  static override description = `Moves every session stored in the 0600 file (where ndcli falls back when no keyring is available) into the OS keyring, then deletes the file. When no keyring can be used it exits 1 and changes nothing.`
  static override examples = ['<%= config.bin %> <%= command.id %>']
  static override baseFlags = {}

  async run(): Promise<void> {
    const settings = await this.configStore.read()
    if (authStorageFrom(process.env[AUTH_STORAGE_ENV], settings['auth.storage']) === 'file') {
      throw new UsageError(`auth.storage is file, so sessions would go back to the file.`, {
        hint: `Unset ${AUTH_STORAGE_ENV} and run 'ndcli config unset auth.storage' (or set it to keyring), then migrate.`,
      })
    }
    let moved: string[]
    try {
      moved = await this.credentialStore.migrate()
    } catch (error) {
      if (!(error instanceof KeyringUnavailable)) throw error
      throw new NdError(`Cannot migrate: ${error.message}. Nothing was changed.`, {code: 'keyring_unavailable'})
    }
    if (moved.length === 0) this.info(`No session is stored in a file: nothing to migrate.`)
    for (const apiUrl of moved) this.info(`✓ Moved the session for ${apiUrl} into the OS keyring`)
  }
}
