import {Args, Errors, Flags} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'

import type {Scope} from '@ndcli/core/contract'

import {tokenPolicyPath, tokenPolicyView, type TokenPolicy} from '../../../views/organizations.js'

const MAX_LIFETIMES = ['30d', '60d', '90d', '180d', '365d', 'none'] as const
/** The contract's scopes, typed by it (as auth token create's are): importing the value would load @ndcli/core/contract with every shell command. */
const SCOPES: readonly Scope[] = ['RW', 'RO']

export default class OrgPolicySet extends NdCommand<typeof OrgPolicySet> {
  static override summary = "Change an organization's token policy (superusers only)."
  static override description =
    'Settings you leave out stay as they are. A token restricted to the organization that breaks the policy cannot be created or rotated; an unrestricted one is refused on every request to the organization. The change applies to the next request.'
  static override examples = [
    {description: 'Tokens that reach ops must expire within 90 days', command: '<%= config.bin %> <%= command.id %> ops --max-lifetime 90d'},
    {description: 'Only read-only tokens, restricted to ops', command: '<%= config.bin %> <%= command.id %> ops --allowed-scopes RO --require-org-restriction'},
    {description: 'Lift the limits again', command: '<%= config.bin %> <%= command.id %> ops --max-lifetime none --allowed-scopes RW,RO --no-require-org-restriction'},
  ]

  static override args = {slug: Args.string({description: 'Organization slug (as shown in org list)', required: true})}
  static override flags = {
    'max-lifetime': Flags.option({options: MAX_LIFETIMES, description: 'Longest token lifetime the organization accepts; none: no limit.'})(),
    // Options (validated after parse, which takes any case) give shell completion its values; the delimiter takes RW,RO.
    'allowed-scopes': Flags.custom<Scope>({
      description: 'Scopes a token may have: RW, RO, or both (RW,RO), in any case.',
      helpValue: '<RW|RO>',
      options: [...SCOPES],
      multiple: true,
      delimiter: ',',
      parse: async (input) => {
        const scope = SCOPES.find((choice) => choice === input.toUpperCase())
        if (!scope) throw new Errors.CLIError(`Expected --allowed-scopes=${input} to be RW, RO or both (RW,RO)`, {exit: 2})
        return scope
      },
    })(),
    'require-org-restriction': Flags.boolean({allowNo: true, description: 'Tokens that can reach the organization must be restricted to it (--org).'}),
  }

  async run(): Promise<Rendered<TokenPolicy>> {
    const {slug} = this.args
    const {'max-lifetime': maxLifetime, 'allowed-scopes': allowedScopes, 'require-org-restriction': requireOrgRestriction} = this.flags
    if (maxLifetime === undefined && allowedScopes === undefined && requireOrgRestriction === undefined) {
      throw new Errors.CLIError('Nothing to change: give --max-lifetime, --allowed-scopes or --[no-]require-org-restriction', {exit: 2})
    }
    const policy = await this.api.patch<TokenPolicy>(tokenPolicyPath(slug), {
      json: {max_lifetime: maxLifetime, allowed_scopes: allowedScopes && [...new Set(allowedScopes)], require_org_restriction: requireOrgRestriction},
    })
    this.info(`✓ Token policy of "${slug}" updated`)
    return {view: tokenPolicyView, data: policy}
  }
}
