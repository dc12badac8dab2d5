/**
 * A folder given to `plugins link` meets the plugin trust rules (oclif runs no install hook
 * for it). The credential a command needs is checked by NdCommand itself (static credential).
 */
import {resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import type {Hook, Interfaces} from '@oclif/core'
import {reportError} from '@ndcli/core'

const hook: Hook.Prerun = async function ({Command, argv, config}) {
  // oclif runs plugins:preinstall for `plugins install` only: a linked folder gets the same trust rules here.
  if (Command.id === 'plugins:link') await checkLink.call(this, argv, config)
}

async function checkLink(this: Hook.Context, argv: string[], config: Interfaces.Config): Promise<void> {
  const folder = argv.find((arg) => !arg.startsWith('-'))
  if (folder === undefined) return // oclif reports the missing argument
  try {
    const {checkWithShellRules} = await import('../plugins/check-install.js')
    if ((await checkWithShellRules({type: 'repo', url: pathToFileURL(resolve(folder)).href}, config)) === 'declined') {
      process.stderr.write('Nothing linked.\n')
      // A "no" is a success (exit 0), but oclif ignores a hook's exit(0) and would link anyway.
      process.exit(0)
    }
  } catch (error) {
    this.exit(reportError(error, 'table'))
  }
}

export default hook
