import type {PolicyCheckItem, TokenPolicy as TokenPolicyView, MaxLifetime} from '@ndcli/core/contract'
import type {Organization, PersonalAccessToken, Scope, TokenPolicy} from './db/index.js'

/** The `expires_in` choices with a lifetime, in days: the allowed values a lifetime rule names. */
const EXPIRY_CHOICES: ReadonlyArray<readonly [string, number]> = [
  ['30d', 30],
  ['60d', 60],
  ['90d', 90],
  ['180d', 180],
  ['365d', 365],
]

/** What a policy judges of a token: its scope, its org restriction and its lifetime in days (null: never expires). */
export interface TokenTraits {
  scope: Scope
  orgId: string | null
  lifetimeDays: number | null
}

export function traitsOf(token: PersonalAccessToken): TokenTraits {
  const lifetimeDays = token.expiresAt === null ? null : Math.round((Date.parse(token.expiresAt) - Date.parse(token.createdAt)) / 86_400_000)
  return {scope: token.scope, orgId: token.orgId, lifetimeDays}
}

/** "a, b or c" */
function alternatives(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`
}

/** A rule of an organization's policy a token breaks, and the flag value of a token that keeps it. */
interface BrokenRule {
  /** "ops allows tokens that expire within 90 days" */
  rule: string
  flag: '--expiry' | '--scope' | '--org'
  /** The values of `flag` the rule allows, most permissive last. */
  allowed: readonly string[]
}

function brokenRules(organization: Organization, token: TokenTraits): BrokenRule[] {
  const {slug, tokenPolicy: policy} = organization
  const broken: BrokenRule[] = []
  const max = policy.maxLifetimeDays
  if (max !== null && (token.lifetimeDays === null || token.lifetimeDays > max)) {
    const allowed = EXPIRY_CHOICES.filter(([, days]) => days <= max).map(([choice]) => choice)
    broken.push({rule: `${slug} allows tokens that expire within ${max} days`, flag: '--expiry', allowed})
  }
  if (!policy.allowedScopes.includes(token.scope)) {
    broken.push({rule: `${slug} allows tokens with scope ${alternatives(policy.allowedScopes)} only`, flag: '--scope', allowed: policy.allowedScopes})
  }
  if (policy.requireOrgRestriction && token.orgId !== organization.id) {
    broken.push({rule: `${slug} requires tokens restricted to it`, flag: '--org', allowed: [slug]})
  }
  return broken
}

/**
 * The rules of the organization's policy the token breaks, one sentence each naming the
 * organization, the rule and the allowed values (the message of 403 policy_violation).
 */
export function policyViolations(organization: Organization, token: TokenTraits): string[] {
  return brokenRules(organization, token).map(({rule, flag, allowed}) => `${rule}: use ${flag} ${alternatives(allowed)}`)
}

/** A token name as a shell word: names may contain spaces, never quotes (TOKEN_NAME). */
function shellWord(name: string): string {
  return /^[\w.-]+$/.test(name) ? name : `"${name}"`
}

/**
 * The refusal of a rotation the token's org policy now forbids, or null. A rotation keeps the
 * lifetime and scope, which no flag of `rotate` changes: the fix is a replacement token, given as
 * the commands to run (the token is already refused in its only org, so revoking it first loses nothing).
 */
export function rotationRefusal(organization: Organization, token: PersonalAccessToken): string | null {
  const traits = traitsOf(token)
  const broken = brokenRules(organization, traits)
  if (broken.length === 0) return null
  const kept = broken.map(({flag}) =>
    flag === '--expiry' ? `lifetime (${traits.lifetimeDays === null ? 'never expires' : `${traits.lifetimeDays} days`})` : `scope (${traits.scope})`,
  )
  const value = (flag: BrokenRule['flag'], own: string) => broken.find((rule) => rule.flag === flag)?.allowed.at(-1) ?? own
  const expiry = value('--expiry', traits.lifetimeDays === null ? 'never' : `${traits.lifetimeDays}d`)
  const name = shellWord(token.name)
  const create = [`ndcli auth token create --name ${name} --scope ${value('--scope', traits.scope)} --org ${organization.slug} --expiry ${expiry}`]
  for (const cidr of token.allowIps ?? []) create.push(`--allow-ip ${cidr}`)
  return (
    `${broken.map(({rule}) => rule).join('; ')}, and a rotation keeps the token's ${kept.join(' and ')}: ` +
    `replace it with 'ndcli auth token revoke ${name} --yes && ${create.join(' ')}'.`
  )
}

/** One line for an error message. */
export function violationMessage(violations: readonly string[]): string {
  return `${violations.join('; ')}.`
}

export function policyView(organization: Organization): TokenPolicyView {
  const {maxLifetimeDays, allowedScopes, requireOrgRestriction} = organization.tokenPolicy
  return {
    org: organization.slug,
    max_lifetime: maxLifetimeDays === null ? null : (`${maxLifetimeDays}d` as MaxLifetime),
    allowed_scopes: allowedScopes,
    require_org_restriction: requireOrgRestriction,
  }
}

export function policyCheckItem(organization: Organization, token: TokenTraits): PolicyCheckItem {
  return {...policyView(organization), violations: policyViolations(organization, token)}
}

/** `PATCH …/token-policy` body: each setting optional, the others stay. */
export interface TokenPolicyChange {
  max_lifetime?: string | null
  allowed_scopes?: string[]
  require_org_restriction?: boolean
}

export function applyPolicyChange(policy: TokenPolicy, change: TokenPolicyChange): TokenPolicy {
  const maxLifetimeDays =
    change.max_lifetime === undefined ? policy.maxLifetimeDays : change.max_lifetime === null || change.max_lifetime === 'none' ? null : Number.parseInt(change.max_lifetime, 10)
  const allowedScopes =
    change.allowed_scopes === undefined
      ? policy.allowedScopes
      : (['RW', 'RO'] as const).filter((scope) => change.allowed_scopes!.some((given) => given.toUpperCase() === scope))
  return {maxLifetimeDays, allowedScopes, requireOrgRestriction: change.require_org_restriction ?? policy.requireOrgRestriction}
}
