import {NdCommand, daysUntil, fetchAccount, formatDate, type Account, type RecordView, type Rendered} from '@ndcli/core'

/** What `auth status` reports; its JSON form is the stable document scripts read. */
interface AuthStatus extends Account {
  api_url: string
  /** Sessions only: `keyring` or `file <path>`. */
  storage?: string
}

const isPat = (status: AuthStatus) => status.credential.type === 'pat'
const patOnly = (value: (status: AuthStatus) => string) => (status: AuthStatus) => (isPat(status) ? value(status) : '')

/** `2026-08-24 (in 87 days)`, `Never`. */
function expiry(iso: string | null | undefined, now: Date): string {
  const days = daysUntil(iso ?? null, now)
  if (days === null) return formatDate(iso ?? null)
  const left = days < 0 ? 'expired' : days === 0 ? 'expires today' : days === 1 ? 'in 1 day' : `in ${days} days`
  return `${formatDate(iso ?? null)} (${left})`
}

function viewAt(now: Date): RecordView<AuthStatus> {
  return {
    kind: 'record',
    heading: (s) => [`✓ Logged in to ${s.api_url} as ${s.email} (${isPat(s) ? `personal access token "${s.credential.name}"` : 'session'})`],
    fields: [
      {header: 'ACCOUNT', label: 'Account', value: (s) => s.email},
      {header: 'NAME', label: 'Name', value: (s) => s.name ?? '', show: 'when-set'},
      {header: 'API URL', label: 'API URL', value: (s) => s.api_url},
      {header: 'AUTHENTICATION', label: 'Authentication', value: (s) => (isPat(s) ? 'Personal access token' : 'Session')},
      {header: 'STORED IN', label: 'Stored in', value: (s) => s.storage ?? '', show: 'when-set'},
      {header: 'TOKEN', label: 'Token', value: patOnly((s) => s.credential.name ?? ''), show: 'when-set'},
      {header: 'SCOPE', label: 'Scope', value: patOnly((s) => s.credential.scope ?? ''), show: 'when-set'},
      {header: 'ORG', label: 'Org', value: patOnly((s) => s.credential.org ?? 'unrestricted'), show: 'when-set'},
      {
        header: 'EXPIRES',
        label: 'Expires',
        value: patOnly((s) => expiry(s.credential.expires_at, now)),
        show: 'when-set',
        color: (s) => {
          const days = daysUntil(s.credential.expires_at ?? null, now)
          return days === null ? undefined : days < 0 ? 'red' : days <= 7 ? 'yellow' : undefined
        },
      },
      {
        header: 'ORGANIZATIONS',
        label: 'Organizations',
        value: (s) => s.organizations.map((org) => `${org.slug} (${org.role})`).join(', ') || 'None',
      },
    ],
    json: (s) => ({api_url: s.api_url, authenticated: true, email: s.email, name: s.name, credential: s.credential, ...(s.storage ? {storage: s.storage} : {}), organizations: s.organizations}),
  }
}

export default class AuthStatusCommand extends NdCommand<typeof AuthStatusCommand> {
  static override summary = 'Show who you are authenticated as, and how.'
  static override description = `Asks the control plane who the current credential belongs to: NDCLI_TOKEN when set (its name, scope, organization and expiry), else the stored login session, and where that session is stored (keyring, or file <path>). Exits 3 when not authenticated.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -f json', '$ NDCLI_TOKEN=ndpat_… <%= config.bin %> <%= command.id %>']

  async run(): Promise<Rendered<AuthStatus>> {
    const account = await fetchAccount(this.api)
    const location = account.credential.type === 'session' ? await this.credentialStore.location(this.apiUrl) : undefined
    const storage = location && (location.type === 'keyring' ? 'keyring' : `file ${location.path}`)
    return {view: viewAt(new Date()), data: {api_url: this.apiUrl, ...account, ...(storage ? {storage} : {})}}
  }
}
