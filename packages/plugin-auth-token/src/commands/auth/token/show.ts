import {Args} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'

import {tokenPath} from '../../../paths.js'
import {tokenDetailView, type TokenListItem} from '../../../views.js'

export default class TokenShow extends NdCommand<typeof TokenShow> {
  static override summary = 'Show every field of one personal access token'
  static override description = `Name, prefix, scope, org, created, expiry with the days left, last use (time and IP address), status, and — during the grace window of a rotation — until when the previous secret is still accepted. Never the secret.

This command works with both interactive (ndcli auth login) and PAT (NDCLI_TOKEN) authentication.`
  static override examples = ['<%= config.bin %> <%= command.id %> github-ci', '<%= config.bin %> <%= command.id %> github-ci -f json']

  static override args = {
    name: Args.string({description: 'Name of the token (as shown in auth token list).', required: true}),
  }

  async run(): Promise<Rendered<TokenListItem>> {
    const token = await this.api.get<TokenListItem>(tokenPath(this.args.name))
    return {view: tokenDetailView(new Date()), data: token}
  }
}
