import {Args} from '@oclif/core'
import {NdCommand, assertConfigKey, CONFIG_KEYS} from '@ndcli/core'

import {configKeyArg} from '../../config-key-arg.js'

export default class ConfigSet extends NdCommand<typeof ConfigSet> {
  static override summary = 'Change a setting.'
  // Settings are local: NDCLI_TOKEN plays no part.
  static override credential = 'none' as const
  static override description = `Settings: ${Object.entries(CONFIG_KEYS)
    .map(([key, {description}]) => `${key} (${description})`)
    .join('; ')}.`
  static override examples = ['<%= config.bin %> <%= command.id %> output.format json', '<%= config.bin %> <%= command.id %> api.url https://ndcli.example.com']
  static override args = {
    key: configKeyArg,
    value: Args.string({description: 'New value', required: true}),
  }
  static override baseFlags = {}

  async run(): Promise<void> {
    const {key, value} = this.args
    assertConfigKey(key)
    const stored = await this.configStore.set(key, value)
    this.info(`✓ ${key} set to ${stored}`)
  }
}
