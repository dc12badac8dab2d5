import {Args, Flags} from '@oclif/core'
import {NdCommand, pathSegment, type Rendered} from '@ndcli/core'

import {revokeResultView, type RevokeResult} from '../../../views.js'

export default class TokenRevoke extends NdCommand<typeof TokenRevoke> {
  static override summary = 'Revoke a personal access token'
  static override description = 'Permanently revoke a personal access token by name. Any in-flight requests using the revoked token will immediately receive an authentication error.'
  static override examples = [
    {description: 'Revoke with confirmation prompt', command: '<%= config.bin %> <%= command.id %> github-ci'},
    {description: 'Revoke without confirmation (for scripts)', command: '<%= config.bin %> <%= command.id %> github-ci --yes'},
  ]

  /** A token cannot destroy tokens: refused under NDCLI_TOKEN before any request (prerun hook). */
  static requiresSession = true

  static override args = {
    name: Args.string({description: 'Name of the token to revoke (as shown in auth token list).', required: true}),
  }

  static override flags = {
    yes: Flags.boolean({description: 'Skip the confirmation prompt. Useful for scripting.'}),
  }

  async run(): Promise<Rendered<RevokeResult>> {
    const {name} = this.args
    // Checked before the prompt: no question about a name that cannot be revoked.
    const path = `/api/v1/auth/tokens/${pathSegment(name, 'token name')}`
    const confirmed =
      this.flags.yes ||
      (await this.confirm(`Revoke the token "${name}"? This cannot be undone.`, {
        nonInteractiveHint: 'pass --yes to revoke without a prompt',
      }))
    if (!confirmed) {
      this.info('Aborted.')
      return {view: revokeResultView, data: {name, revoked: false}}
    }
    await this.api.delete(path)
    this.info(`✓ Token "${name}" revoked`)
    return {view: revokeResultView, data: {name, revoked: true}}
  }
}
