/** The organization resource (api.md) and its views, shared by `org list|show|update`. */
import {formatDateTime, pathSegment, type Field, type ListView, type RecordView} from '@ndcli/core'
import type {TokenPolicy} from '@ndcli/core/contract'

export type Role = 'superuser' | 'read-write' | 'read-only'

/** The body of `GET|PATCH /api/v1/organizations/{slug}`. */
export interface Organization {
  slug: string
  name: string
  description: string | null
  /** The caller's role in it. */
  role: Role
  created_at: string
}

/** An item of `GET /api/v1/organizations`. */
export interface OrganizationListItem extends Organization {
  /** Why the PAT in use cannot reach it (the org's token policy it breaks), else null. */
  unreachable_reason: string | null
}

const fields: Field<Organization>[] = [
  {header: 'SLUG', label: 'Slug', value: (o) => o.slug},
  {header: 'NAME', label: 'Name', value: (o) => o.name},
  {header: 'ROLE', label: 'Role', value: (o) => o.role},
  {header: 'DESCRIPTION', label: 'Description', value: (o) => o.description ?? '-'},
  {header: 'CREATED', label: 'Created', value: (o) => formatDateTime(o.created_at), show: 'detailed'},
]

export const organizationListView: ListView<Organization> = {
  kind: 'list',
  fields,
  empty: 'No organizations found',
  footer: (rows) => `Total: ${rows.length} organization(s)`,
}

export const organizationView: RecordView<Organization> = {kind: 'record', fields}

/** The API path of one organization; an empty slug, `.` or `..` is a usage error (pathSegment). */
export function organizationPath(slug: string): string {
  return `/api/v1/organizations/${pathSegment(slug, 'organization slug')}`
}

/** `GET|PATCH /api/v1/organizations/{slug}/token-policy`: the rules for tokens that reach the organization. */
export type {TokenPolicy}

/** The policy's settings for people: what each one allows, with the flag that changes it. */
export const tokenPolicyFields: Field<TokenPolicy>[] = [
  {header: 'ORG', label: 'Org', value: (p) => p.org},
  {header: 'MAX LIFETIME', label: 'Max lifetime', value: (p) => (p.max_lifetime ? p.max_lifetime.replace(/d$/, ' days') : 'none')},
  {header: 'ALLOWED SCOPES', label: 'Allowed scopes', value: (p) => p.allowed_scopes.join(', ')},
  {header: 'REQUIRE ORG RESTRICTION', label: 'Require org restriction', value: (p) => (p.require_org_restriction ? 'yes' : 'no')},
]

export const tokenPolicyView: RecordView<TokenPolicy> = {kind: 'record', fields: tokenPolicyFields}

export function tokenPolicyPath(slug: string): string {
  return `${organizationPath(slug)}/token-policy`
}
