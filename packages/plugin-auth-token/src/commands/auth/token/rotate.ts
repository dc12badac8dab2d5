import {Args, Flags} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'

import {durationFlag, quietFlag} from '../../../flags.js'
import {tokenPath} from '../../../paths.js'
import {rotatedTokenView, secretOnlyView, type RotatedToken} from '../../../views.js'

export default class TokenRotate extends NdCommand<typeof TokenRotate> {
  static override summary = 'Issue a new secret for a personal access token'
  static override description = `The token keeps its name, scope and org; its lifetime restarts with the same length (a token that never expires stays so). The new secret is displayed once, like at creation.

The old secret stops working at once, or — with --grace — at the end of the grace window (at most 24h), so the secret of a CI job can be swapped without a failed run. Rotating again ends an open grace window.`
  static override examples = [
    {description: 'Rotate, keeping the old secret valid for 10 minutes while CI picks up the new one', command: '<%= config.bin %> <%= command.id %> github-ci --grace 10m --yes'},
    {description: 'Rotate straight into a secret store', command: '<%= config.bin %> <%= command.id %> github-ci --grace 1h --yes --quiet | gh secret set NDCLI_TOKEN'},
  ]

  /** A token cannot mint secrets: refused under NDCLI_TOKEN before any request (NdCommand). */
  static override credential = 'session' as const

  static override args = {
    name: Args.string({description: 'Name of the token to rotate (as shown in auth token list).', required: true}),
  }

  static override flags = {
    grace: durationFlag({
      description: 'How long the old secret keeps working: <n>s, <n>m, <n>h or <n>d, at most 24h. Default: it stops at once.',
      max: {seconds: 24 * 3600, text: '24h'},
    }),
    yes: Flags.boolean({description: 'Skip the confirmation prompt. Useful for scripting.'}),
    quiet: quietFlag,
  }

  async run(): Promise<Rendered<RotatedToken> | undefined> {
    const {name} = this.args
    const grace = this.flags.grace ?? 0
    // Checked before the prompt: no question about a name that cannot be rotated.
    const path = `${tokenPath(name)}/rotate`
    const confirmed = await this.confirmUnlessYes(this.flags.yes, `Rotate the token "${name}"? Its current secret stops working ${grace > 0 ? 'when the grace window ends' : 'now'}.`, {
      nonInteractiveHint: 'pass --yes to rotate without a prompt',
    })
    if (!confirmed) {
      // Nothing was done, and nothing is printed on stdout (there is no new secret).
      this.info('Aborted.')
      return undefined
    }
    const rotated = await this.api.post<RotatedToken>(path, {json: {grace_seconds: grace}})
    return {view: this.flags.quiet ? secretOnlyView : rotatedTokenView, data: rotated}
  }
}
