import {Args, Flags} from '@oclif/core'
import {NdCommand, type CredentialNeed, patDisplayPrefix, UsageError, validatePat, type Rendered} from '@ndcli/core'

import {tokenPath} from '../../../paths.js'
import {revokeByValueView, revokeResultView, type RevokeByValueResult, type RevokeResult} from '../../../views.js'

export default class TokenRevoke extends NdCommand<typeof TokenRevoke> {
  static override summary = 'Revoke a personal access token'
  static override description = `Permanently revoke a personal access token by name. Any in-flight requests using the revoked token will immediately receive an authentication error.

With --stdin, revoke a token by its value instead (for instance one found leaked in a log), without knowing its name or whose it is: the value is read from standard input, checked locally, sent to the control plane and never printed. This needs no login (holding the secret is the proof) and also works under NDCLI_TOKEN, which it does not send. The control plane answers the same whether or not the value was a live token, so the command cannot tell either.`
  static override examples = [
    {description: 'Revoke with confirmation prompt', command: '<%= config.bin %> <%= command.id %> github-ci'},
    {description: 'Revoke without confirmation (for scripts)', command: '<%= config.bin %> <%= command.id %> github-ci --yes'},
    {description: 'Revoke a leaked token by its value, read from a file or a pipe', command: '<%= config.bin %> <%= command.id %> --stdin < leaked-token.txt'},
  ]

  /** By name: a token cannot destroy tokens, refused under NDCLI_TOKEN before any request. By value (--stdin): no credential is sent. */
  static override credential = (flags: Record<string, unknown>): CredentialNeed => (flags.stdin ? 'none' : 'session')

  static override args = {
    // ignoreStdin: oclif would otherwise take a missing argument from piped stdin — a token value as a name.
    name: Args.string({description: 'Name of the token to revoke (as shown in auth token list). Omit with --stdin.', ignoreStdin: true}),
  }

  static override flags = {
    yes: Flags.boolean({description: 'Skip the confirmation prompt. Useful for scripting.'}),
    stdin: Flags.boolean({description: 'Read the token value from standard input (one trailing newline is ignored) and revoke it; no prompt.'}),
  }

  async run(): Promise<Rendered<RevokeResult> | Rendered<RevokeByValueResult>> {
    const {name} = this.args
    if (this.flags.stdin) {
      if (name !== undefined) throw new UsageError('Give either a token name or --stdin, not both.')
      return this.revokeByValue()
    }
    if (name === undefined) throw new UsageError('Expected the name of the token to revoke, or --stdin to read a token value.')
    // Checked before the prompt: no question about a name that cannot be revoked.
    const path = tokenPath(name)
    const confirmed = await this.confirmUnlessYes(this.flags.yes, `Revoke the token "${name}"? This cannot be undone.`, {
      nonInteractiveHint: 'pass --yes to revoke without a prompt',
    })
    if (!confirmed) {
      this.info('Aborted.')
      return {view: revokeResultView, data: {name, revoked: false}}
    }
    await this.api.delete(path)
    this.info(`✓ Token "${name}" revoked`)
    return {view: revokeResultView, data: {name, revoked: true}}
  }

  private async revokeByValue(): Promise<Rendered<RevokeByValueResult>> {
    const token = (await this.readStdin()).replace(/\r?\n$/, '')
    if (token === '') throw new UsageError('Expected a token value on stdin, got nothing.')
    const format = validatePat(token)
    if (!format.valid) throw new UsageError(`The value on stdin is not a personal access token: it ${format.reason}.`)
    this.api.addSecret(token)
    // No credential: the value itself is the proof, and the answer is the same whether or not it existed.
    await this.api.post('/api/v1/credentials/revoke', {json: {token}, authenticated: false})
    this.info('✓ If that token existed, it has been revoked.')
    return {view: revokeByValueView, data: {token_prefix: patDisplayPrefix(token), submitted: true}}
  }
}
