/**
 * Runs before every command: refuses a config file that cannot be read, naming
 * the file to fix, instead of failing later with a JSON parse error; then the
 * update notice (src/update-notice.ts), which never waits for the network.
 */
import type {Hook} from '@oclif/core'
import {ConfigStore} from '@ndcli/core'

import {updateNotice} from '../update-notice.js'

const hook: Hook.Init = async function ({config}) {
  const store = new ConfigStore(config.configDir)
  try {
    await store.read()
  } catch (error) {
    // Only bad JSON is reported here; a file that cannot be read at all is left to the command that needs it.
    if (!(error instanceof SyntaxError)) return
    process.stderr.write(`Error: the settings file ${store.path} is not valid JSON.\nHint: fix or delete it; 'ndcli config set' writes a new one.\n`)
    this.exit(1)
  }
  updateNotice(config)
}

export default hook
