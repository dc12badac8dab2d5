import {Errors, Flags} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'
import {MAX_ALLOWED_IPS, parseAllowList} from '@ndcli/core/cidr'

import {quietFlag} from '../../../flags.js'
import {createdTokenView, policyCheckLines, policyCheckView, secretOnlyView, type CreatedToken, type PolicyCheck, type Scope} from '../../../views.js'

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
const FIELD_FLAGS = {name: '--name', scope: '--scope', org: '--org', expires_in: '--expiry', allow_ips: '--allow-ip'}

export default class TokenCreate extends NdCommand<typeof TokenCreate> {
  static override summary = 'Create a new personal access token'
  static override description = 'The full token value is displayed once at creation and cannot be retrieved afterwards.'
  static override examples = [
    {description: 'Create a read-write token valid for 90 days', command: '<%= config.bin %> <%= command.id %> --name "github-ci" --scope rw --expiry 90d'},
    {description: 'Create a read-only token scoped to one org, never expiring', command: '<%= config.bin %> <%= command.id %> --name "readonly-monitor" --scope ro --org ops --expiry never'},
    {description: 'Pipe only the secret into a secret store', command: '<%= config.bin %> <%= command.id %> --name "github-ci" --scope rw --quiet | gh secret set NDCLI_TOKEN'},
    {
      description: "A CI token that only works from the CI's egress range",
      command: '<%= config.bin %> <%= command.id %> --name "ci-deploy" --scope rw --org ops --expiry 30d --allow-ip 203.0.113.0/24 --allow-ip 2001:db8:1234::/48',
    },
    {description: 'See which org policies a token would break, without creating it', command: '<%= config.bin %> <%= command.id %> --name "ci" --scope rw --expiry 365d --dry-run'},
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
    'allow-ip': Flags.string({
      description: `Only accept the token from this address or CIDR block (IPv4 or IPv6; a bare address is one host). Repeatable, up to ${MAX_ALLOWED_IPS}.`,
      helpValue: '<cidr>',
      multiple: true,
    }),
    'dry-run': Flags.boolean({
      description: 'Print the org policies that apply and whether the token would break them; create nothing (exit 4 when it would be refused anywhere it asks for).',
    }),
    quiet: quietFlag,
  }

  async run(): Promise<Rendered<CreatedToken> | Rendered<PolicyCheck>> {
    const {name, scope, org, expiry, 'dry-run': dryRun, quiet} = this.flags
    const allowIps = this.allowList()
    const body = {name, scope, org, expires_in: expiry, allow_ips: allowIps}
    // Shown before the token is made: in a terminal, and always for --dry-run (scripts read -f json's decision).
    if (dryRun || (!quiet && this.io.stderr.isTTY && this.format !== 'json')) {
      const check = await this.api.post<PolicyCheck>('/api/v1/auth/policy-check', {json: body, fieldFlags: FIELD_FLAGS})
      if (this.format !== 'json') {
        for (const line of policyCheckLines(check)) this.info(line)
        if (dryRun) {
          this.info(check.allowed ? 'Dry run: the token would be allowed everywhere it asks for; nothing was created.' : 'Dry run: the token would break the policies marked ✗; nothing was created.')
        }
      }
      if (dryRun) {
        return {view: policyCheckView, data: check, exitCode: check.allowed ? 0 : 4}
      }
    }
    const created = await this.api.post<CreatedToken>('/api/v1/auth/tokens', {json: body, fieldFlags: FIELD_FLAGS})
    // An unrestricted token is made even where a policy refuses it: say where it will not work.
    for (const item of created.policy_check.organizations) {
      if (item.violations.length > 0) this.warn(`This token cannot reach ${item.org}: ${item.violations.join('; ')}`)
    }
    return {view: quiet ? secretOnlyView : createdTokenView, data: created}
  }

  /** --allow-ip values as canonical CIDR blocks; refused before any request when malformed. */
  private allowList(): string[] | undefined {
    const inputs = this.flags['allow-ip']
    if (!inputs) return undefined
    const parsed = parseAllowList(inputs, '--allow-ip')
    if (!parsed.ok) throw new Errors.CLIError(parsed.message, {exit: 2})
    return parsed.cidrs
  }
}
