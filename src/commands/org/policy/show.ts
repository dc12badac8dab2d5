import {Args} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'

import {tokenPolicyPath, tokenPolicyView, type TokenPolicy} from '../../../views/organizations.js'

export default class OrgPolicyShow extends NdCommand<typeof OrgPolicyShow> {
  static override summary = "Show an organization's token policy."
  static override description =
    'The rules for every personal access token that can reach the organization: the longest lifetime, the allowed scopes, and whether tokens must be restricted to it. Every member can read it.'
  static override examples = ['<%= config.bin %> <%= command.id %> ops', '<%= config.bin %> <%= command.id %> ops -f json']
  static override args = {slug: Args.string({description: 'Organization slug (as shown in org list)', required: true})}

  async run(): Promise<Rendered<TokenPolicy>> {
    const policy = await this.api.get<TokenPolicy>(tokenPolicyPath(this.args.slug))
    return {view: tokenPolicyView, data: policy}
  }
}
