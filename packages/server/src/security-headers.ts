import type {FastifyReply} from 'fastify'

/** Nothing served here may be framed, sniffed, cached or embed anything; the sign-in page widens the CSP for its own inline style. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

export function securityHeaders(reply: FastifyReply): void {
  reply.headers({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    // Responses carry secrets (tokens) or per-user data.
    'cache-control': 'no-store',
  })
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', API_CSP)
}
