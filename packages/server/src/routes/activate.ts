import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {normalizeEmail} from '../accounts.js'
import {ACTIVATE_PAGE_CSP, renderActivatePage, type ActivatePageView} from '../activate-page.js'
import type {AppContext} from '../context.js'
import {SignInFormTokens} from '../csrf.js'
import {verifyPassword} from '../passwords.js'
import {formatUserCode, normalizeUserCode, secretDigest} from '../secrets.js'

/**
 * CSRF protection: each rendered form sets a fresh nonce in this HttpOnly, SameSite=Strict cookie
 * and carries a token the server made from it with its key (see csrf.ts); another site can neither
 * read nor set the cookie, nor make a token. Served over https, the `__Host-` prefix also keeps
 * sibling subdomains from planting the cookie.
 */
const CSRF_COOKIE = 'ndcli_csrf'
const SECURE_CSRF_COOKIE = '__Host-ndcli_csrf'

/** Sec-Fetch-Site values of a form posted from our own page (`none`: the person's own navigation). */
const OWN_FETCH_SITES = new Set(['same-origin', 'none'])

const ACTIONS = {approve: 'approved', deny: 'denied'} as const

const MESSAGES = {
  csrf: 'This form expired or did not come from this page. Check the details and submit it again.',
  action: 'Choose Approve or Deny.',
  code: 'That code is unknown or has expired. Check the code in your terminal, or run `ndcli auth login` again.',
  credentials: 'Incorrect email or password.',
  throttled: (seconds: number) => `Too many failed attempts. Try again in ${seconds} seconds.`,
}

type FormFields = Record<'user_code' | 'email' | 'password' | 'csrf_token' | 'action', string>

function readForm(body: unknown): FormFields {
  const fields = (body ?? {}) as Record<string, unknown>
  // A field holding U+0000 cannot match anything stored (and PostgreSQL text cannot hold it): treat it as empty.
  const text = (name: keyof FormFields) => {
    const value = fields[name]
    return typeof value === 'string' && !value.includes('\u0000') ? value : ''
  }
  return {
    user_code: text('user_code'),
    email: text('email'),
    password: text('password'),
    csrf_token: text('csrf_token'),
    action: text('action'),
  }
}

/** Shows a code the way it is displayed in the terminal when it looks like one, else as typed. */
function displayCode(input: string): string {
  const letters = normalizeUserCode(input)
  return letters ? formatUserCode(letters) : input
}

function sendPage(reply: FastifyReply, status: number, view: ActivatePageView): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', ACTIVATE_PAGE_CSP)
    .send(renderActivatePage(view))
}

export function registerActivateRoutes(app: FastifyInstance, {store, clock, throttle, publicUrl, limits}: AppContext): void {
  const formTokens = new SignInFormTokens(store, clock, limits.deviceCodeTtlSeconds)
  /** The public URL decides when it is set: a proxy ending TLS forwards plain http. */
  const secureCookie = (request: FastifyRequest) => (publicUrl ? publicUrl.startsWith('https:') : request.protocol === 'https')
  const cookieName = (request: FastifyRequest) => (secureCookie(request) ? SECURE_CSRF_COOKIE : CSRF_COOKIE)
  const ownOrigin = (request: FastifyRequest) => (publicUrl ? new URL(publicUrl).origin : `${request.protocol}://${request.host}`)

  /**
   * Whether the browser says the POST came from another site. Our page is served with
   * `Referrer-Policy: no-referrer`, under which browsers send `Origin: null` for its own forms;
   * the CSRF token still guards those.
   */
  function crossSite(request: FastifyRequest): boolean {
    const fetchSite = request.headers['sec-fetch-site']
    if (fetchSite !== undefined && !OWN_FETCH_SITES.has(String(fetchSite))) return true
    const origin = request.headers.origin
    return origin !== undefined && origin !== 'null' && origin !== ownOrigin(request)
  }

  /** Renders the form with a fresh CSRF token (and cookie), bound to the code shown; the password is never echoed. */
  async function sendForm(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    fields: {userCode: string; email: string; error?: string},
  ): Promise<FastifyReply> {
    const {nonce, token} = await formTokens.issue(normalizeUserCode(fields.userCode))
    const secure = secureCookie(request)
    reply.setCookie(cookieName(request), nonce, {
      // __Host- cookies must have Path=/ (and no Domain).
      path: secure ? '/' : '/activate',
      httpOnly: true,
      sameSite: 'strict',
      secure,
    })
    return sendPage(reply, status, {kind: 'form', csrfToken: token, ...fields})
  }

  app.get<{Querystring: {user_code?: unknown}}>('/activate', async (request, reply) => {
    const {user_code: userCode} = request.query
    return sendForm(request, reply, 200, {userCode: typeof userCode === 'string' ? displayCode(userCode) : '', email: ''})
  })

  app.post('/activate', async (request, reply) => {
    if (crossSite(request)) {
      request.log.warn({origin: request.headers.origin, fetchSite: request.headers['sec-fetch-site']}, 'sign-in form posted from another site: refused')
      return sendPage(reply, 403, {kind: 'refused'})
    }
    const form = readForm(request.body)
    const again = (status: number, error: string) =>
      sendForm(request, reply, status, {userCode: displayCode(form.user_code), email: form.email, error})

    const retryAfter = throttle.retryAfterSeconds(request.ip)
    // Before the page is sent: a header set after send() is not part of the response.
    if (retryAfter > 0) {
      reply.header('retry-after', String(retryAfter))
      return again(429, MESSAGES.throttled(retryAfter))
    }

    const nonce = request.cookies[cookieName(request)]
    if (!(await formTokens.verify(nonce, form.csrf_token, normalizeUserCode(form.user_code)))) return again(403, MESSAGES.csrf)

    if (form.action !== 'approve' && form.action !== 'deny') return again(400, MESSAGES.action)

    const now = clock()
    const letters = normalizeUserCode(form.user_code)
    const grant = letters && (await store.findDeviceAuthorizationByUserCode(secretDigest(letters)))
    if (!grant || grant.status !== 'pending' || now.toISOString() >= grant.expiresAt) {
      // Guessing codes is an attack too: it counts as a failure.
      throttle.recordFailure(request.ip)
      return again(400, MESSAGES.code)
    }

    const user = await store.findUserByEmail(normalizeEmail(form.email))
    const passwordMatches = await verifyPassword(form.password, user?.passwordHash)
    if (!user || !passwordMatches) {
      throttle.recordFailure(request.ip)
      return again(401, MESSAGES.credentials)
    }

    const outcome = ACTIONS[form.action]
    const decided = await store.decideDeviceAuthorization(grant.id, {status: outcome, userId: user.id, now: now.toISOString()})
    if (!decided) return again(400, MESSAGES.code)
    request.log.info({outcome, userId: user.id}, 'device authorization decided')
    return sendPage(reply, 200, {kind: 'decided', outcome})
  })
}
