/** The organization resource (api.md) and its views, shared by `org list|show|update`. */
import {formatDateTime, pathSegment, type Field, type ListView, type RecordView} from '@ndcli/core'

export type Role = 'superuser' | 'read-write' | 'read-only'

/** An item of `GET /api/v1/organizations`, and the body of `GET|PATCH /api/v1/organizations/{slug}`. */
export interface Organization {
  slug: string
  name: string
  description: string | null
  /** The caller's role in it. */
  role: Role
  created_at: string
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
