import type {FastifyReply} from 'fastify'

/** Nothing served here may be framed, sniffed, cached or embed anything; the sign-in page widens the CSP for its own inline style. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Responses carry secrets (tokens) or per-user data.
  'cache-control': 'no-store',
}

export function securityHeaders(reply: FastifyReply): void {
  reply.headers(SECURITY_HEADERS)
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', API_CSP)
}

/** The same headers for a response written straight to the socket (requests Node's parser refused). */
export function rawSecurityHeaders(): string {
  return Object.entries({...SECURITY_HEADERS, 'content-security-policy': API_CSP})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')
}
