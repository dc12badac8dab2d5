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

/**
 * The rules of the organization's policy the token breaks, one sentence each naming the
 * organization, the rule and the allowed values (the message of 403 policy_violation).
 */
export function policyViolations(organization: Organization, token: TokenTraits): string[] {
  const {slug, tokenPolicy: policy} = organization
  const violations: string[] = []
  const max = policy.maxLifetimeDays
  if (max !== null && (token.lifetimeDays === null || token.lifetimeDays > max)) {
    const allowed = EXPIRY_CHOICES.filter(([, days]) => days <= max).map(([choice]) => choice)
    violations.push(`${slug} allows tokens that expire within ${max} days: use --expiry ${alternatives(allowed)}`)
  }
  if (!policy.allowedScopes.includes(token.scope)) {
    violations.push(`${slug} allows tokens with scope ${alternatives(policy.allowedScopes)} only: use --scope ${alternatives(policy.allowedScopes)}`)
  }
  if (policy.requireOrgRestriction && token.orgId !== organization.id) {
    violations.push(`${slug} requires tokens restricted to it: use --org ${slug}`)
  }
  return violations
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
