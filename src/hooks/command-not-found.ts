/**
 * oclif reads `ndcli org list extra` as the command id `org:list:extra` when
 * `org list` takes no arguments, and then fails in its own multi-line format.
 * Here the longest known command in that id runs with the other words as its
 * arguments, so its parser refuses them ("Unexpected argument: extra", exit 2)
 * through NdCommand like every other usage error. Anything else is an unknown
 * command: one `Error:` line, exit 2 (cli.md).
 */
import type {Hook} from '@oclif/core'
import {formatFromArgv, reportError, UsageError} from '@ndcli/core'

const hook: Hook.CommandNotFound = async function ({argv, config, id}) {
  const words = id.split(':')
  for (let length = words.length - 1; length > 0; length--) {
    const commandId = words.slice(0, length).join(':')
    if (config.findCommand(commandId)) return config.runCommand(commandId, [...words.slice(length), ...(argv ?? [])])
  }
  const typed = words.join(config.topicSeparator)
  // oclif's own wording, which scripts and tests may already match.
  this.exit(reportError(new UsageError(`command ${typed} not found`, {hint: `See '${config.bin} --help' for the commands.`}), formatFromArgv(argv ?? []) ?? 'table'))
}

export default hook
