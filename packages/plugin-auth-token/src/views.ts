/**
 * The personal-access-token resource as people and scripts see it: the API's
 * shapes (@ndcli/core/contract) and the one declaration of each view, which NdCommand renders
 * in all four formats (design/cli.md, auth-token-reference.txt).
 */
import {daysUntil, formatDate, formatDateTime, formatRelative, type Field, type ListView, type RawView, type RecordView} from '@ndcli/core'
import type {IssuedToken, PolicyCheck, PolicyCheckItem, RotatedToken, TokenListItem} from '@ndcli/core/contract'

// The API's shapes are the contract's (one declaration, which the server serializes with); type-only: nothing loads.
export type {CreatedToken, IssuedToken, PolicyCheck, RotatedToken, Scope, TokenListItem} from '@ndcli/core/contract'

/** What `auth token revoke --stdin` reports: the server cannot say whether the value named a token. */
export interface RevokeByValueResult {
  token_prefix: string
  submitted: boolean
}

/** What `auth token revoke` reports; only `-f json` prints it, people get a status line. */
export interface RevokeResult {
  name: string
  revoked: boolean
}

const SHOWN_ONCE = '⚠ Copy your token now — it will NOT be shown again.'

export const createdTokenView: RecordView<IssuedToken> = {
  kind: 'record',
  fields: [
    {header: 'TOKEN', label: 'Token', value: (t) => t.token},
    {header: 'NAME', label: 'Name', value: (t) => t.name},
    {header: 'SCOPE', label: 'Scope', value: (t) => t.scope},
    {header: 'ORG', label: 'Org', value: (t) => t.org ?? '', show: 'when-set'},
    {header: 'EXPIRES', label: 'Expires', value: (t) => formatDate(t.expires_at)},
    {header: 'ALLOWED IPS', label: 'Allowed IPs', value: (t) => t.allow_ips?.join(', ') ?? '', show: 'when-set'},
  ],
  heading: () => ['✓ Personal access token created', SHOWN_ONCE],
  footer: () => ['Set NDCLI_TOKEN=<token> to use static auth without interactive login.'],
}

/** Only the secret and a newline (`create|rotate --quiet`): for piping into a secret store. */
export const secretOnlyView: RawView<IssuedToken> = {kind: 'raw', text: (t) => `${t.token}\n`}

/** The grace window of a rotation, for people: `2026-05-26 14:03:07 +02:00`, or empty (the line is then left out). */
const previousSecretField: Field<{previous_valid_until: string | null}> = {
  header: 'PREVIOUS SECRET VALID UNTIL',
  label: 'Previous secret valid until',
  value: (t) => (t.previous_valid_until ? formatDateTime(t.previous_valid_until) : ''),
  show: 'when-set',
}

/** The created-token block, headed as a rotation, plus until when the replaced secret still works. */
export const rotatedTokenView: RecordView<RotatedToken> = {
  ...createdTokenView,
  fields: [...createdTokenView.fields, previousSecretField],
  // With a grace window, its end is a field; without, the old secret stopped with this answer.
  heading: (t) => ['✓ Personal access token rotated', SHOWN_ONCE, ...(t.previous_valid_until ? [] : ['The previous secret no longer works.'])],
}

/** What names a token, first in the list and in `show`: name, prefix, scope and org (`-` for all). */
const identityFields: Field<TokenListItem>[] = [
  {header: 'NAME', label: 'Name', value: (t) => t.name},
  {header: 'PREFIX', label: 'Prefix', value: (t) => t.token_prefix},
  {header: 'SCOPE', label: 'Scope', value: (t) => t.scope},
  {header: 'ORG', label: 'Org', value: (t) => t.org ?? '-'},
]

/** The IP allowlist (left out of table/simple records without one; `-` in detailed). */
const allowedIpsField: Field<TokenListItem> = {header: 'ALLOWED IPS', label: 'Allowed IPs', value: (t) => t.allow_ips?.join(', ') ?? '', show: 'when-set'}

/** The organizations whose token policy the token breaks, each with the reason (left out like the allowlist when none). */
const unreachableField: Field<TokenListItem> = {
  header: 'CANNOT REACH',
  label: 'Cannot reach',
  value: (t) => t.unreachable_orgs.map(({org, reason}) => `${org} (${reason})`).join('; '),
  show: 'when-set',
  color: (t) => (t.unreachable_orgs.length > 0 ? 'yellow' : undefined),
}

/** One organization's policy in words: `max lifetime 90 days, scopes RW or RO, restricted to ops`. */
function policySummary(item: PolicyCheckItem): string {
  const rules = [
    item.max_lifetime ? `tokens expire within ${item.max_lifetime.replace(/d$/, ' days')}` : 'any lifetime',
    item.allowed_scopes.length === 2 ? 'scope RW or RO' : `scope ${item.allowed_scopes.join(', ')} only`,
    ...(item.require_org_restriction ? [`tokens restricted to ${item.org}`] : []),
  ]
  return rules.join(', ')
}

/**
 * What `auth token create` prints before it makes a token, in a terminal and for `--dry-run`:
 * each policy that applies and whether the requested token breaks it.
 */
export function policyCheckLines(check: PolicyCheck): string[] {
  if (check.organizations.length === 0) return ['No organization policy applies to this token.']
  return [
    'Token policies that apply:',
    ...check.organizations.map((item) =>
      item.violations.length === 0 ? `  ✓ ${item.org}: ${policySummary(item)}` : `  ✗ ${item.org}: ${policySummary(item)} — ${item.violations.join('; ')}`,
    ),
  ]
}

/** `--dry-run`: nothing on stdout for people (the policy lines say it all); the decision for scripts. */
export const policyCheckView: RecordView<PolicyCheck> = {kind: 'record', fields: []}

/**
 * `now` anchors the relative LAST USED column (`2m`, `5h`, `3d`). `empty`: what to say when
 * there is nothing to list (a filter may make that good news).
 */
export function tokenListView(now: Date, empty = 'No personal access tokens found'): ListView<TokenListItem> {
  return {
    kind: 'list',
    fields: [
      ...identityFields,
      {header: 'EXPIRES', label: 'Expires', value: (t) => formatDate(t.expires_at)},
      {header: 'LAST USED', label: 'Last used', value: (t) => formatRelative(t.last_used_at, now)},
      // As wide as `expired` even when all are active, as in the reference's table.
      {header: 'STATUS', label: 'Status', value: status, color: (t) => (t.is_expired ? 'yellow' : 'green'), minWidth: 'expired'.length},
      {...allowedIpsField, show: 'detailed'},
      {...unreachableField, show: 'detailed'},
      {header: 'CREATED', label: 'Created', value: (t) => formatDateTime(t.created_at), show: 'detailed'},
      {header: 'LAST USED IP', label: 'Last used IP', value: (t) => t.last_used_ip ?? '-', show: 'detailed'},
    ],
    empty,
    footer: (rows) => `Total: ${rows.length} token(s)`,
  }
}

/**
 * `auth token show`: every field of one token, the expiry with the days left, the last use
 * as a full time, and the grace window of a rotation while it is open. `now` anchors the days.
 */
export function tokenDetailView(now: Date): RecordView<TokenListItem> {
  return {
    kind: 'record',
    fields: [
      ...identityFields,
      {header: 'CREATED', label: 'Created', value: (t) => formatDateTime(t.created_at)},
      {header: 'EXPIRES', label: 'Expires', value: (t) => expiresWithDaysLeft(t, now), color: (t) => (t.is_expired ? 'yellow' : undefined)},
      {header: 'LAST USED', label: 'Last used', value: (t) => formatDateTime(t.last_used_at)},
      {header: 'LAST USED IP', label: 'Last used IP', value: (t) => t.last_used_ip ?? '-'},
      {header: 'STATUS', label: 'Status', value: status, color: (t) => (t.is_expired ? 'yellow' : 'green')},
      allowedIpsField,
      unreachableField,
      previousSecretField,
    ],
  }
}

/** `2026-08-24 (90 days left)`, `… (expires today)`, `… (expired)`, or `Never`. */
function expiresWithDaysLeft(token: TokenListItem, now: Date): string {
  const date = formatDate(token.expires_at)
  if (token.expires_at === null) return date
  if (token.is_expired) return `${date} (expired)`
  const days = daysUntil(token.expires_at, now)
  if (days === null) return date
  if (days <= 0) return `${date} (expires today)`
  return `${date} (${days} day${days === 1 ? '' : 's'} left)`
}

function status(token: TokenListItem): 'active' | 'expired' {
  return token.is_expired ? 'expired' : 'active'
}

/** Nothing on stdout for people (the status line says it all); `{name, revoked}` for scripts. */
export const revokeResultView: RecordView<RevokeResult> = {kind: 'record', fields: []}

/** Likewise for `revoke --stdin`: `{token_prefix, submitted}` for scripts (the prefix is not secret: lists show it). */
export const revokeByValueView: RecordView<RevokeByValueResult> = {kind: 'record', fields: []}

/** One token found by `auth token scan`: where it is and its display prefix, never the secret. */
export interface ScanFinding {
  path: string
  line: number
  column: number
  token_prefix: string
  /** The commit that added it (--git-history), else null. */
  commit: string | null
  source: 'file' | 'stdin' | 'git-history' | 'staged'
  /** With --revoke: the revocation was submitted (the endpoint says nothing about liveness). */
  revoke?: 'submitted'
}

/** `path:line:column`, the prefix, the commit with --git-history and the revocation with --revoke. */
export function scanFindingsView(options: {history: boolean; revoke: boolean}): ListView<ScanFinding> {
  return {
    kind: 'list',
    fields: [
      {header: 'LOCATION', label: 'Location', value: (f) => `${f.path}:${f.line}:${f.column}`},
      {header: 'PREFIX', label: 'Prefix', value: (f) => f.token_prefix},
      ...(options.history ? [{header: 'COMMIT', label: 'Commit', value: (f: ScanFinding) => (f.commit ? f.commit.slice(0, 12) : '-')}] : []),
      ...(options.revoke ? [{header: 'REVOKE', label: 'Revoke', value: (f: ScanFinding) => f.revoke ?? '-', color: () => 'green' as const}] : []),
      {header: 'SOURCE', label: 'Source', value: (f) => f.source, show: 'detailed'},
    ],
    empty: 'No ndcli tokens found',
    footer: (rows) => `Total: ${rows.length} token(s) found`,
  }
}
