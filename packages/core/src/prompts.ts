/**
 * Prompting is a capability granted only when a person can answer: on a TTY.
 * Elsewhere the caller's flag (e.g. --yes) is named in a usage error instead of hanging.
 */
import {UsageError} from './errors.js'
import {processIO, type IO} from './io.js'

export interface ConfirmOptions {
  default?: boolean
  /** What to do instead in a non-interactive session, e.g. "pass --yes to revoke without a prompt". */
  nonInteractiveHint: string
}

export interface Prompter {
  /** True when a person can answer (stdin and stderr are terminals). */
  interactive(io?: IO): boolean
  confirm(message: string, options: {default: boolean; signal?: AbortSignal; io?: IO}): Promise<boolean>
}

export const terminalPrompter: Prompter = {
  interactive: (io = processIO()) => Boolean(io.stdin.isTTY && io.stderr.isTTY),
  async confirm(message, {default: defaultAnswer, signal, io = processIO()}) {
    // Loaded only when a prompt is shown. @inquirer/confirm is the confirm prompt of
    // @inquirer/prompts, on its own: the collection would bring every prompt (the editor's
    // encoding tables alone are ~540 KB) into @ndcli/core's bundle.
    const {default: confirm} = await import('@inquirer/confirm')
    return confirm({message, default: defaultAnswer}, {input: io.stdin as NodeJS.ReadableStream, output: io.stderr as NodeJS.WritableStream, signal})
  },
}

export async function confirmWith(prompter: Prompter, message: string, options: ConfirmOptions, signal?: AbortSignal, io: IO = processIO()): Promise<boolean> {
  if (!prompter.interactive(io)) {
    throw new UsageError(`Cannot ask for confirmation in a non-interactive session: ${options.nonInteractiveHint}.`)
  }
  return prompter.confirm(message, {default: options.default ?? false, signal, io})
}
