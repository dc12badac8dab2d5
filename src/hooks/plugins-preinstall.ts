/**
 * Runs before `ndcli plugins install` hands a plugin to npm (which would run its install
 * scripts): applies the trust rules of src/plugins/trust.ts. oclif loads this file only
 * for `plugins install`, and the checks themselves are imported on demand.
 */
import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'

import {Errors, type Hook} from '@oclif/core'
import {ConfigStore, pluginList, reportError, terminalPrompter} from '@ndcli/core'

const hook: Hook.PluginsPreinstall = async function ({plugin, config}) {
  try {
    const {ALLOW_ENV, checkPluginInstall} = await import('../plugins/check-install.js')
    const allowed = new Set([...pluginList(process.env[ALLOW_ENV]), ...pluginList(await new ConfigStore(config.configDir).get('plugins.allow'))])
    const decision = await checkPluginInstall(plugin, {
      shellCoreVersion: await shellCoreVersion(),
      allowed,
      prompter: terminalPrompter,
      fetch: {registry: config.npmRegistry, pluginPluginsRoot: config.plugins.get('@oclif/plugin-plugins')?.root},
    })
    if (decision === 'declined') {
      process.stderr.write('Nothing installed.\n')
      // Answering "no" is a success (cli.md: exit 0), but oclif ignores a hook's exit(0)
      // and would go on installing; leaving the process is the only way to stop it.
      process.exit(0)
    }
  } catch (error) {
    // Already reported. Said explicitly rather than by this.exit(): the error crosses
    // @oclif/plugin-plugins, which runs on its own copy of @oclif/core (the shell's is
    // bundled), and a copy that does not recognise the ExitError would print it again.
    const exit = new Errors.ExitError(reportError(error, 'table'))
    exit.skipOclifErrorHandling = true
    throw exit
  }
}

/** The @ndcli/core this shell runs on; its package.json is not exported, so find it next to the entry point. */
async function shellCoreVersion(): Promise<string> {
  const packageJson = new URL('../package.json', import.meta.resolve('@ndcli/core'))
  return (JSON.parse(await readFile(fileURLToPath(packageJson), 'utf8')) as {version: string}).version
}

export default hook
