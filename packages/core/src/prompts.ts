/**
 * Prompting is a capability granted only when a person can answer: on a TTY.
 * Elsewhere the caller's flag (e.g. --yes) is named in a usage error instead of hanging.
 */
import {UsageError} from './errors.js'

export interface ConfirmOptions {
  default?: boolean
  /** What to do instead in a non-interactive session, e.g. "pass --yes to revoke without a prompt". */
  nonInteractiveHint: string
}

export interface Prompter {
  /** True when a person can answer (stdin and stderr are terminals). */
  interactive(): boolean
  confirm(message: string, options: {default: boolean; signal?: AbortSignal}): Promise<boolean>
}

export const terminalPrompter: Prompter = {
  interactive: () => Boolean(process.stdin.isTTY && process.stderr.isTTY),
  async confirm(message, {default: defaultAnswer, signal}) {
    // Loaded only when a prompt is shown. @inquirer/confirm is the confirm prompt of
    // @inquirer/prompts, on its own: the collection would bring every prompt (the editor's
    // encoding tables alone are ~540 KB) into @ndcli/core's bundle.
    const {default: confirm} = await import('@inquirer/confirm')
    return confirm({message, default: defaultAnswer}, {output: process.stderr, signal})
  },
}

export async function confirmWith(prompter: Prompter, message: string, options: ConfirmOptions, signal?: AbortSignal): Promise<boolean> {
  if (!prompter.interactive()) {
    throw new UsageError(`Cannot ask for confirmation in a non-interactive session: ${options.nonInteractiveHint}.`)
  }
  return prompter.confirm(message, {default: options.default ?? false, signal})
}
