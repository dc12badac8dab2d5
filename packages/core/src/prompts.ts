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
    // inquirer is loaded only when a prompt is shown.
    const {confirm} = await import('@inquirer/prompts')
    return confirm({message, default: defaultAnswer}, {output: process.stderr, signal})
  },
}

export async function confirmWith(prompter: Prompter, message: string, options: ConfirmOptions, signal?: AbortSignal): Promise<boolean> {
  if (!prompter.interactive()) {
    throw new UsageError(`Cannot ask for confirmation in a non-interactive session: ${options.nonInteractiveHint}.`)
  }
  return prompter.confirm(message, {default: options.default ?? false, signal})
}
