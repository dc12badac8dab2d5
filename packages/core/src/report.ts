import {toNdError} from './errors.js'
import {paint} from './output/ansi.js'
import {colorAllowed} from './output/color.js'
import {processIO, type IO} from './io.js'
import {printable} from './output/printable.js'
import type {OutputFormat} from './output/types.js'
import {redactText} from './redact.js'

/**
 * Prints an error as cli.md asks — `Error: <message>` (and `Hint:`) on stderr,
 * plus the `{"error": {code, message}}` document on stdout in json mode — and
 * returns its exit code. Used by NdCommand.catch() and by hooks.
 */
export function reportError(error: unknown, format: OutputFormat, io: IO = processIO()): number {
  const ndError = toNdError(error)
  // One line whatever the message quotes (a value with a newline, an escape sequence from the server).
  const message = printable(redactText(ndError.message))
  if (format === 'json') {
    io.stdout.write(JSON.stringify({error: {code: ndError.code, message}}, null, 2) + '\n')
  }
  io.stderr.write(`${onStderr(io, 'Error:', 'red')} ${message}\n`)
  if (ndError.hint) io.stderr.write(`Hint: ${printable(redactText(ndError.hint))}\n`)
  return ndError.exitCode
}

/** Writes a warning on stderr. */
export function reportWarning(message: string, io: IO = processIO()): void {
  io.stderr.write(`${onStderr(io, 'Warning:', 'yellow')} ${printable(message)}\n`)
}

function onStderr(io: IO, text: string, colour: 'red' | 'yellow'): string {
  return colorAllowed(io.stderr, io.env) ? paint(text, colour) : text
}
