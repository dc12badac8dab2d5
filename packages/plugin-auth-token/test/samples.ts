/**
 * The reference page's sample tokens (auth-token-reference.txt) as the API sends them, and a
 * fixed clock: times at midday UTC, so that the dates are the same in every usual time zone.
 */
import type {CreatedToken, TokenListItem} from '../src/views.js'

export const NOW = new Date('2026-05-26T12:00:00Z')

export const GITHUB_CI: TokenListItem = {
  name: 'github-ci',
  token_prefix: 'ndpat_Jj8IYR',
  scope: 'RW',
  org: null,
  expires_at: '2026-08-24T12:00:00Z',
  last_used_at: '2026-05-26T11:58:00Z',
  last_used_ip: '203.0.113.7',
  created_at: '2026-05-26T11:00:00Z',
  is_expired: false,
  previous_valid_until: null,
  allow_ips: null,
  unreachable_orgs: [],
}

export const READONLY_MONITOR: TokenListItem = {
  name: 'readonly-monitor',
  token_prefix: 'ndpat_aB3xYz',
  scope: 'RO',
  org: 'ops',
  expires_at: null,
  last_used_at: null,
  last_used_ip: null,
  created_at: '2026-05-20T12:00:00Z',
  is_expired: false,
  previous_valid_until: null,
  allow_ips: null,
  unreachable_orgs: [],
}

export const CREATED: CreatedToken = {
  token: 'ndpat_Jj8IYRumwQ9GV4nfqrymvLBbUUnY8LAkuEecJnIrk1U',
  name: 'github-ci',
  token_prefix: 'ndpat_Jj8IYR',
  scope: 'RW',
  org: null,
  expires_at: '2026-08-24T12:00:00Z',
  created_at: '2026-05-26T12:00:00Z',
  allow_ips: null,
  policy_check: {allowed: true, organizations: []},
}
