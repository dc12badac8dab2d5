import {PAT_PREFIX} from './pat-format.js'

const PAT_PATTERN = new RegExp(`${PAT_PREFIX}[A-Za-z0-9_-]+`, 'g')
const SENSITIVE_KEY = /^(authorization|cookie|set-cookie|password|token|access_token|refresh_token|device_code|csrf_token)$/i
export const REDACTED = '[REDACTED]'

/**
 * Removes secrets from text meant for debug output: anything shaped like a PAT,
 * plus every value in `secrets` (e.g. the current session tokens).
 */
export function redactText(text: string, secrets: Iterable<string | undefined> = []): string {
  let result = text.replace(PAT_PATTERN, REDACTED)
  for (const secret of secrets) {
    if (secret && secret.length >= 8) result = result.split(secret).join(REDACTED)
  }
  return result
}

/** A copy of headers or a body with sensitive keys masked, for debug output. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, SENSITIVE_KEY.test(key) ? REDACTED : value]))
}

/** redactFields through a whole JSON value (objects in arrays, nested objects), e.g. a response body. */
export function redactFieldsDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactFieldsDeep)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, SENSITIVE_KEY.test(key) ? REDACTED : redactFieldsDeep(field)]))
}
