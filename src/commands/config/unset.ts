import {NdCommand, assertConfigKey} from '@ndcli/core'

import {configKeyArg} from '../../config-key-arg.js'

export default class ConfigUnset extends NdCommand<typeof ConfigUnset> {
  static override summary = 'Remove a setting, restoring its default.'
  // Settings are local: NDCLI_TOKEN plays no part.
  static override credential = 'none' as const
  static override examples = ['<%= config.bin %> <%= command.id %> output.format']
  static override args = {key: configKeyArg}
  static override baseFlags = {}

  async run(): Promise<void> {
    const {key} = this.args
    assertConfigKey(key)
    await this.configStore.unset(key)
    this.info(`✓ ${key} unset`)
  }
}
