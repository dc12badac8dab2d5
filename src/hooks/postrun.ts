/**
 * After a command of @oclif/plugin-autocomplete has written the completion files (`ndcli
 * autocomplete [shell]`, `autocomplete create`, which its own hook runs when a plugin is installed
 * or uninstalled), the bash one is replaced by ndcli's, which completes flag values too
 * (src/completion-bash.ts). Any other command returns at once; the generator is imported on demand.
 */
import type {Hook} from '@oclif/core'

const WRITE_COMPLETIONS = new Set(['autocomplete', 'autocomplete:create'])

const hook: Hook.Postrun = async function ({Command, config}) {
  if (!WRITE_COMPLETIONS.has(Command.id)) return
  const {writeBashCompletion} = await import('../completion-bash.js')
  await writeBashCompletion(config)
}

export default hook
