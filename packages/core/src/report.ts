import {toNdError} from './errors.js'
import {paint} from './output/ansi.js'
import {colorAllowed} from './output/color.js'
import {printable} from './output/printable.js'
import type {OutputFormat} from './output/types.js'
import {redactText} from './redact.js'

/**
 * Prints an error as cli.md asks — `Error: <message>` (and `Hint:`) on stderr,
 * plus the `{"error": {code, message}}` document on stdout in json mode — and
 * returns its exit code. Used by NdCommand.catch() and by hooks.
 */
export function reportError(error: unknown, format: OutputFormat): number {
  const ndError = toNdError(error)
  // One line whatever the message quotes (a value with a newline, an escape sequence from the server).
  const message = printable(redactText(ndError.message))
  if (format === 'json') {
    process.stdout.write(JSON.stringify({error: {code: ndError.code, message}}, null, 2) + '\n')
  }
  process.stderr.write(`${onStderr('Error:', 'red')} ${message}\n`)
  if (ndError.hint) process.stderr.write(`Hint: ${printable(redactText(ndError.hint))}\n`)
  return ndError.exitCode
}

/** Writes a warning on stderr. */
export function reportWarning(message: string): void {
  process.stderr.write(`${onStderr('Warning:', 'yellow')} ${printable(message)}\n`)
}

function onStderr(text: string, colour: 'red' | 'yellow'): string {
  return colorAllowed(process.stderr) ? paint(text, colour) : text
}
