/**
 * Text from the user or the server, made safe to print on a terminal: control
 * characters (C0, DEL, C1) and bidirectional overrides would break a one-line
 * message into several, recolour or move the cursor, or reorder what people
 * read. They are shown escaped instead (`\n`, `\u001b`), as JSON would.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
