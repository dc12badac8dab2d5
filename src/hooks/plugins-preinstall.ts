/**
 * Runs before `ndcli plugins install` hands a plugin to npm (which would run its install
 * scripts): applies the trust rules of src/plugins/trust.ts. oclif loads this file only
 * for `plugins install`, and the checks themselves are imported on demand.
 */
import {Errors, type Hook} from '@oclif/core'
import {reportError} from '@ndcli/core'

const hook: Hook.PluginsPreinstall = async function ({plugin, config}) {
  try {
    const {checkWithShellRules} = await import('../plugins/check-install.js')
    if ((await checkWithShellRules(plugin, config)) === 'declined') {
      process.stderr.write('Nothing installed.\n')
      // Answering "no" is a success (cli.md: exit 0), but oclif ignores a hook's exit(0)
      // and would go on installing; leaving the process is the only way to stop it.
      process.exit(0)
    }
  } catch (error) {
    // Already reported. Said explicitly rather than by this.exit(): the error crosses
    // @oclif/plugin-plugins, which runs on its own copy of @oclif/core (the shell's is
    // @ndcli/core's), and a copy that does not recognise the ExitError would print it again.
    const exit = new Errors.ExitError(reportError(error, 'table'))
    exit.skipOclifErrorHandling = true
    throw exit
  }
}

export default hook
