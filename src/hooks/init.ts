/**
 * Runs before every command: refuses a config file that cannot be read, naming
 * the file to fix, instead of failing later with a JSON parse error.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Hook} from '@oclif/core'

const hook: Hook.Init = async function ({config}) {
  const path = join(config.configDir, 'config.json')
  let text: string
  try {
    // Synchronously, as @ndcli/core reads its files (see readJsonFile): it runs before every command.
    text = readFileSync(path, 'utf8')
  } catch {
    return
  }
  try {
    JSON.parse(text)
  } catch {
    process.stderr.write(`Error: the settings file ${path} is not valid JSON.\nHint: fix or delete it; 'ndcli config set' writes a new one.\n`)
    this.exit(1)
  }
}

export default hook
