#!/usr/bin/env node
/**
 * The baseline of the control-plane benchmark: the Fastify the server uses, in its own
 * process, one GET route answering a constant 10-item array shaped like a token list —
 * no authentication, no database. Prints its URL on stdout.
 */
import Fastify from 'fastify'

// The fields and value sizes of the list the benchmark's server answers (tokens made with the default expiry, one used).
const item = (i) => ({
  name: `bench-${i}`,
  token_prefix: 'ndpat_6Ipcnc',
  scope: 'RO',
  org: null,
  expires_at: '2027-03-02T14:04:11.502Z',
  last_used_at: i === 0 ? '2026-12-02T14:04:11.596Z' : null,
  last_used_ip: i === 0 ? '127.0.0.1' : null,
  created_at: '2026-12-02T14:04:11.502Z',
  is_expired: false,
  previous_valid_until: null,
})
const body = Array.from({length: 10}, (_, i) => item(i))

const app = Fastify({logger: false})
app.get('/api/v1/auth/tokens', async () => body)
const address = await app.listen({host: '127.0.0.1', port: 0})
process.stdout.write(address + '\n')
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
