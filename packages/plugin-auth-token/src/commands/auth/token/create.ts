import {Errors, Flags} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'

import {quietFlag} from '../../../flags.js'
import {createdTokenView, secretOnlyView, type CreatedToken, type Scope} from '../../../views.js'

const SCOPES: readonly Scope[] = ['RW', 'RO']

/**
 * The scopes as the flag's `options`, which the manifest carries to shell completion (zsh offers
 * RW RO). oclif checks the typed text against them with includes() before parse: this includes()
 * ignores case, as the reference's own `--scope rw` needs.
 */
class AnyCaseOptions extends Array<string> {
  override includes(value: string): boolean {
    return super.includes(value.toUpperCase())
  }
}
const SCOPE_OPTIONS = AnyCaseOptions.from(SCOPES) as AnyCaseOptions
const EXPIRIES = ['30d', '60d', '90d', '180d', '365d', 'never'] as const
/** The server's `name must be …` names the flag instead (the API's expires_in is --expiry). */
const FIELD_FLAGS = {name: '--name', scope: '--scope', org: '--org', expires_in: '--expiry'}

export default class TokenCreate extends NdCommand<typeof TokenCreate> {
  static override summary = 'Create a new personal access token'
  static override description = 'The full token value is displayed once at creation and cannot be retrieved afterwards.'
  static override examples = [
    {description: 'Create a read-write token valid for 90 days', command: '<%= config.bin %> <%= command.id %> --name "github-ci" --scope rw --expiry 90d'},
    {description: 'Create a read-only token scoped to one org, never expiring', command: '<%= config.bin %> <%= command.id %> --name "readonly-monitor" --scope ro --org ops --expiry never'},
    {description: 'Pipe only the secret into a secret store', command: '<%= config.bin %> <%= command.id %> --name "github-ci" --scope rw --quiet | gh secret set NDCLI_TOKEN'},
  ]

  /** A token cannot mint tokens: refused under NDCLI_TOKEN before any request (NdCommand). */
  static override credential = 'session' as const

  static override flags = {
    name: Flags.string({
      description: 'Human-readable label for the token. Must be unique within your account.',
      required: true,
      parse: async (input) => {
        if (input.trim() === '') throw new Errors.CLIError('Expected a non-empty --name.', {exit: 2})
        // The server refuses it too: a name that only differs by a space would be a trap to revoke.
        if (input !== input.trim()) throw new Errors.CLIError(`--name must not begin or end with whitespace: use --name "${input.trim()}".`, {exit: 2})
        return input
      },
    }),
    scope: Flags.custom<Scope>({
      description: 'RW (read and write) or RO (read only), in any case.',
      helpValue: '<RW|RO>',
      options: SCOPE_OPTIONS,
      required: true,
      parse: async (input) => {
        const scope = SCOPES.find((choice) => choice === input.toUpperCase())
        if (!scope) throw new Errors.CLIError(`Expected --scope=${input} to be one of: ${SCOPES.join(', ')}`, {exit: 2})
        return scope
      },
    })(),
    org: Flags.string({
      description: 'Restrict the token to a single organization slug. Omit to allow access to all orgs.',
      parse: async (input) => {
        if (input.trim() === '') throw new Errors.CLIError('Expected a non-empty --org: omit --org to allow access to all organizations.', {exit: 2})
        return input
      },
    }),
    expiry: Flags.option({options: EXPIRIES, default: '90d', description: 'Token lifetime.'})(),
    quiet: quietFlag,
  }

  async run(): Promise<Rendered<CreatedToken>> {
    const {name, scope, org, expiry} = this.flags
    const created = await this.api.post<CreatedToken>('/api/v1/auth/tokens', {
      json: {name, scope, org, expires_in: expiry},
      fieldFlags: FIELD_FLAGS,
    })
    return {view: this.flags.quiet ? secretOnlyView : createdTokenView, data: created}
  }
}
