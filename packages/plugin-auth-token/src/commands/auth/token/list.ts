import {NdCommand, type Rendered} from '@ndcli/core'

import {tokenListView, type TokenListItem} from '../../../views.js'

export default class TokenList extends NdCommand<typeof TokenList> {
  static override summary = 'List all personal access tokens for your account'
  static override description = `Shows metadata only — the full token value is never displayed after creation.

This command works with both interactive (ndcli auth login) and PAT (NDCLI_TOKEN) authentication.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -f json']

  async run(): Promise<Rendered<TokenListItem>> {
    const tokens = await this.api.get<TokenListItem[]>('/api/v1/auth/tokens')
    return {view: tokenListView(new Date()), data: tokens}
  }
}
