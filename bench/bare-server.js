#!/usr/bin/env node
/**
 * The baseline of the control-plane benchmark: the Fastify the server uses, in its own
 * process, one GET route answering a constant 10-item array shaped like a token list —
 * no authentication, no database. Prints its URL on stdout.
 */
import Fastify from 'fastify'

const item = (i) => ({name: `bench-${i}`, token_prefix: 'ndpat_abcd', scope: 'RO', org: null, expires_at: null, last_used_at: null, last_used_ip: null, created_at: '2025-01-01T00:00:00.000Z', is_expired: false})
const body = Array.from({length: 10}, (_, i) => item(i))

const app = Fastify({logger: false})
app.get('/api/v1/auth/tokens', async () => body)
const address = await app.listen({host: '127.0.0.1', port: 0})
process.stdout.write(address + '\n')
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
