import {Flags} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'

import {durationFlag, formatDuration, TOKENS_MATCHED_EXIT_CODE} from '../../../flags.js'

export {TOKENS_MATCHED_EXIT_CODE} from '../../../flags.js'
import {tokenListView, type TokenListItem} from '../../../views.js'


export default class TokenList extends NdCommand<typeof TokenList> {
  static override summary = 'List all personal access tokens for your account'
  static override description = `Shows metadata only — the full token value is never displayed after creation.

With --expiring-within, only the tokens that expire within that time from now or have already expired; add --fail-if-any to exit with status ${TOKENS_MATCHED_EXIT_CODE} when there is any, so a scheduled CI job can warn a team before its token lapses (other failures keep their own codes: 3 credential rejected, 7 control plane unreachable, …).

This command works with both interactive (ndcli auth login) and PAT (NDCLI_TOKEN) authentication.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -f json',
    {description: 'Tokens that expire within 14 days, or have expired', command: '<%= config.bin %> <%= command.id %> --expiring-within 14d'},
    {
      description: `In a scheduled CI job: exit ${TOKENS_MATCHED_EXIT_CODE} (and list them) when any token lapses within 14 days`,
      command: '<%= config.bin %> <%= command.id %> --expiring-within 14d --fail-if-any',
    },
  ]

  static override flags = {
    'expiring-within': durationFlag({
      description: 'Only tokens that expire within this time from now, or have expired: <n>s, <n>m, <n>h or <n>d (e.g. 14d).',
    }),
    'fail-if-any': Flags.boolean({
      description: `Exit with status ${TOKENS_MATCHED_EXIT_CODE} when any token is listed (after listing them).`,
      dependsOn: ['expiring-within'],
    }),
  }

  async run(): Promise<Rendered<TokenListItem>> {
    const now = new Date()
    const tokens = await this.api.get<TokenListItem[]>('/api/v1/auth/tokens')
    const within = this.flags['expiring-within']
    if (within === undefined) return {view: tokenListView(now), data: tokens}
    const horizon = now.getTime() + within * 1000
    // The server's is_expired decides "expired"; the window is counted on this machine's clock.
    const expiring = tokens.filter((t) => t.is_expired || (t.expires_at !== null && Date.parse(t.expires_at) <= horizon))
    return {
      view: tokenListView(now, `No personal access tokens expire within ${formatDuration(within)}`),
      data: expiring,
      exitCode: this.flags['fail-if-any'] && expiring.length > 0 ? TOKENS_MATCHED_EXIT_CODE : undefined,
    }
  }
}
