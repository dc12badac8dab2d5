/**
 * JSON request bodies: parsed strictly. Besides syntax errors, a repeated key
 * (`{"scope":"RO","scope":"RW"}`) is refused, because JSON.parse would silently
 * keep the last one and a proxy or log reader might see the first.
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new SyntaxError('The request body is not valid JSON.')
  }
  const duplicate = findDuplicateKey(text)
  if (duplicate !== undefined) throw new SyntaxError(`The request body repeats the key "${duplicate}".`)
  // Only a \u escape can bring one in (the text itself is decoded UTF-8).
  if (text.includes('\\u') && hasLoneSurrogate(value)) throw new SyntaxError(LONE_SURROGATE_MESSAGE)
  return value
}

/** With the u flag a surrogate pair is one code point, so this matches unpaired surrogates only. */
export const LONE_SURROGATE = /\p{Cs}/u

export const LONE_SURROGATE_MESSAGE =
  'The request contains a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape): text must be valid Unicode.'

/**
 * A string with an unpaired surrogate is not Unicode text: SQLite would store it one way and
 * PostgreSQL another (both replace it), so it is refused before either sees it.
 */
export function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value)
  if (Array.isArray(value)) return value.some(hasLoneSurrogate)
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, entry]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(entry))
  }
  return false
}

/** Scans text already known to be valid JSON; returns the first key repeated within one object. */
export function findDuplicateKey(json: string): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: Array<{keys: Set<string>; expectingKey: boolean} | null> = []
  for (let i = 0; i < json.length; i++) {
    const char = json[i]
    if (char === '{') stack.push({keys: new Set(), expectingKey: true})
    else if (char === '[') stack.push(null)
    else if (char === '}' || char === ']') stack.pop()
    else if (char === ',') {
      const top = stack.at(-1)
      if (top) top.expectingKey = true
    } else if (char === '"') {
      const start = i
      for (i++; json[i] !== '"'; i++) if (json[i] === '\\') i++
      const top = stack.at(-1)
      if (top?.expectingKey) {
        const key = JSON.parse(json.slice(start, i + 1)) as string
        if (top.keys.has(key)) return key
        top.keys.add(key)
        top.expectingKey = false
      }
    }
  }
  return undefined
}
