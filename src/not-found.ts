/**
 * What the command_not_found hook does (src/hooks/command-not-found.ts), imported on demand so
 * that the hooks every run loads stay small.
 */
import type {Config, Hook, Interfaces} from '@oclif/core'
import {formatFromArgv, NdCommand, nearest, reportError, UsageError} from '@ndcli/core'

/**
 * `plugins install` adds the new plugin to this run's Config (config.plugins), whose hooks then
 * run, but oclif indexed the commands when the run began: a plugins:postinstall hook that runs one
 * of the plugin's own commands (@oclif/plugin-autocomplete's runs `autocomplete create`) would not
 * find it. Loads the commands again when a plugin has some the index lacks; true when it did.
 */
export async function indexLatePlugins(config: Interfaces.Config): Promise<boolean> {
  const indexed = new Set(config.commandIDs)
  const late = [...config.plugins.values()].some((plugin) => plugin.commands.some((command) => !indexed.has(command.id)))
  // The hook's config is the run's Config instance; the interface leaves out loadPluginsAndCommands.
  if (late) await (config as Config).loadPluginsAndCommands({force: true})
  return late
}

/** The visible command (or alias) nearest to `id`, if it is near enough to be a typo. */
export function nearestCommand(id: string, config: Interfaces.Config): string | undefined {
  return nearest(id, config.commands.filter((command) => !command.hidden).flatMap((command) => [command.id, ...command.aliases]))
}

/**
 * An unknown command: on a terminal, offers the nearest command (run on "yes", as oclif's
 * plugin-not-found does in sf and heroku); elsewhere names it in the hint and exits 2 without
 * waiting for an answer (cli.md: usage error).
 */
export async function reportUnknownCommand(this: Hook.Context, id: string, argv: string[], config: Interfaces.Config): Promise<unknown> {
  const typed = id.split(':').join(config.topicSeparator)
  const suggestion = nearestCommand(id, config)
  const readable = suggestion?.split(':').join(config.topicSeparator)
  const {prompter} = NdCommand
  if (readable && prompter.interactive()) {
    process.stderr.write(`${config.bin} ${typed} is not a command.\n`)
    if (await prompter.confirm(`Did you mean ${config.bin} ${readable}?`, {default: true})) {
      return config.runCommand(suggestion!, [...id.split(':').slice(suggestion!.split(':').length), ...argv])
    }
  }
  const help = `See '${config.bin} --help' for the commands.`
  // oclif's own wording, which scripts and tests may already match.
  const error = new UsageError(`command ${typed} not found`, {hint: readable ? `Did you mean '${config.bin} ${readable}'? ${help}` : help})
  return this.exit(reportError(error, formatFromArgv(argv) ?? 'table'))
}
