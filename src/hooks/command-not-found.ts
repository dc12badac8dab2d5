/**
 * oclif reads `ndcli org list extra` as the command id `org:list:extra` when
 * `org list` takes no arguments, and then fails in its own multi-line format.
 * Here the longest known command in that id runs with the other words as its
 * arguments, so its parser refuses them ("Unexpected argument: extra", exit 2)
 * through NdCommand like every other usage error. A command of a plugin that
 * `plugins install` has just added is found too (its postinstall hook may run
 * it). Anything else is an unknown command: the nearest command is suggested
 * (src/not-found.ts), one `Error:` line, exit 2 (cli.md).
 */
import type {Hook} from '@oclif/core'

const hook: Hook.CommandNotFound = async function ({argv = [], config, id}) {
  const notFound = await import('../not-found.js')
  if ((await notFound.indexLatePlugins(config)) && config.findCommand(id)) return config.runCommand(id, argv)
  const words = id.split(':')
  for (let length = words.length - 1; length > 0; length--) {
    const commandId = words.slice(0, length).join(':')
    if (config.findCommand(commandId)) return config.runCommand(commandId, [...words.slice(length), ...argv])
  }
  return notFound.reportUnknownCommand.call(this, id, argv, config)
}

export default hook
