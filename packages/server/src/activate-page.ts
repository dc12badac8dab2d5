import {createHash} from 'node:crypto'

/**
 * The device sign-in page (/activate): one server-rendered form, inline CSS,
 * no script, usable on a phone. Every interpolated value is escaped.
 */

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 .5rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;padding:.65rem .75rem;font-size:1rem;border:1px solid #a9b0bd;border-radius:.4rem}
input:focus{outline:3px solid #8fb3ff;border-color:#2f6fec}
#user_code{font-family:ui-monospace,Menlo,Consolas,monospace;letter-spacing:.15em;text-transform:uppercase}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button{flex:1;padding:.75rem;font-size:1rem;font-weight:600;border-radius:.4rem;border:1px solid #2f6fec;background:#2f6fec;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#b42318;border-color:#b42318}
.error{background:#fdecea;color:#8a1c12;border:1px solid #f4b6ae;border-radius:.4rem;padding:.6rem .75rem}
@media (max-width:30rem){main{margin:0;border-radius:0;box-shadow:none;min-height:100vh}}
`

/** The page allows exactly its own stylesheet and posting to itself. */
export const ACTIVATE_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

export type ActivatePageView =
  | {kind: 'form'; userCode: string; email: string; csrfToken: string; error?: string}
  | {kind: 'decided'; outcome: 'approved' | 'denied'}
  | {kind: 'refused'}

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

export function renderActivatePage(view: ActivatePageView): string {
  const {title, body} =
    view.kind === 'form' ? {title: 'Sign in to ndcli', body: form(view)} : view.kind === 'refused' ? REFUSED : decided(view.outcome)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`
}

function form(view: Extract<ActivatePageView, {kind: 'form'}>): string {
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>\n` : ''
  return `<p>Check that the code matches the one in your terminal, then sign in to approve or deny the request.</p>
${error}<form method="post" action="/activate">
<input type="hidden" name="csrf_token" value="${escapeHtml(view.csrfToken)}">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" value="${escapeHtml(view.userCode)}" placeholder="ABCD-EFGH" required autocomplete="off" autocapitalize="characters" spellcheck="false">
<label for="email">Email</label>
<input id="email" name="email" type="email" value="${escapeHtml(view.email)}" required autocomplete="username">
<label for="password">Password</label>
<input id="password" name="password" type="password" required autocomplete="current-password">
<div class="actions">
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny" class="secondary">Deny</button>
</div>
</form>`
}

/** A form posted from another site: no form is offered back, only the way to the real page. */
const REFUSED = {
  title: 'Request refused',
  body: '<p>This sign-in form was sent from another site, so nothing was approved or denied. Open the link that <code>ndcli auth login</code> printed and use the form there.</p>',
}

function decided(outcome: 'approved' | 'denied'): {title: string; body: string} {
  return outcome === 'approved'
    ? {title: 'Device approved', body: '<p>ndcli is now signed in. You can close this window and return to your terminal.</p>'}
    : {title: 'Device denied', body: '<p>The sign-in request was denied; the device was not signed in. You can close this window.</p>'}
}
