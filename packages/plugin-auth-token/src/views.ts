/**
 * The personal-access-token resource as people and scripts see it: the API's
 * shapes (api.md) and the one declaration of each view, which NdCommand renders
 * in all four formats (design/cli.md, auth-token-reference.txt).
 */
import {formatDate, formatDateTime, formatRelative, type ListView, type RecordView} from '@ndcli/core'

export type Scope = 'RW' | 'RO'

/** `POST /api/v1/auth/tokens` → 201: the only response that carries the secret. */
export interface CreatedToken {
  token: string
  name: string
  token_prefix: string
  scope: Scope
  org: string | null
  expires_at: string | null
  created_at: string
}

/** An item of `GET /api/v1/auth/tokens`: metadata only, never the secret. */
export interface TokenListItem {
  name: string
  token_prefix: string
  scope: Scope
  org: string | null
  expires_at: string | null
  last_used_at: string | null
  last_used_ip: string | null
  created_at: string
  is_expired: boolean
}

/** What `auth token revoke` reports; only `-f json` prints it, people get a status line. */
export interface RevokeResult {
  name: string
  revoked: boolean
}

export const createdTokenView: RecordView<CreatedToken> = {
  kind: 'record',
  fields: [
    {header: 'TOKEN', label: 'Token', value: (t) => t.token},
    {header: 'NAME', label: 'Name', value: (t) => t.name},
    {header: 'SCOPE', label: 'Scope', value: (t) => t.scope},
    {header: 'ORG', label: 'Org', value: (t) => t.org ?? '', show: 'when-set'},
    {header: 'EXPIRES', label: 'Expires', value: (t) => formatDate(t.expires_at)},
  ],
  heading: () => ['✓ Personal access token created', '⚠ Copy your token now — it will NOT be shown again.'],
  footer: () => ['Set NDCLI_TOKEN=<token> to use static auth without interactive login.'],
}

/** `now` anchors the relative LAST USED column (`2m`, `5h`, `3d`). */
export function tokenListView(now: Date): ListView<TokenListItem> {
  return {
    kind: 'list',
    fields: [
      {header: 'NAME', label: 'Name', value: (t) => t.name},
      {header: 'PREFIX', label: 'Prefix', value: (t) => t.token_prefix},
      {header: 'SCOPE', label: 'Scope', value: (t) => t.scope},
      {header: 'ORG', label: 'Org', value: (t) => t.org ?? '-'},
      {header: 'EXPIRES', label: 'Expires', value: (t) => formatDate(t.expires_at)},
      {header: 'LAST USED', label: 'Last used', value: (t) => formatRelative(t.last_used_at, now)},
      {header: 'STATUS', label: 'Status', value: status, color: (t) => (t.is_expired ? 'yellow' : 'green')},
      {header: 'CREATED', label: 'Created', value: (t) => formatDateTime(t.created_at), show: 'detailed'},
      {header: 'LAST USED IP', label: 'Last used IP', value: (t) => t.last_used_ip ?? '-', show: 'detailed'},
    ],
    empty: 'No personal access tokens found',
    footer: (rows) => `Total: ${rows.length} token(s)`,
  }
}

function status(token: TokenListItem): 'active' | 'expired' {
  return token.is_expired ? 'expired' : 'active'
}

/** Nothing on stdout for people (the status line says it all); `{name, revoked}` for scripts. */
export const revokeResultView: RecordView<RevokeResult> = {kind: 'record', fields: []}
