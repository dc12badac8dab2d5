import {NdCommand, assertConfigKey, CONFIG_KEYS, type RawView, type Rendered} from '@ndcli/core'

import {configKeyArg} from '../../config-key-arg.js'

/** The value alone, so scripts can use it directly. */
const rawValueView: RawView<string> = {kind: 'raw', text: (value) => `${value}\n`}

export default class ConfigGet extends NdCommand<typeof ConfigGet> {
  static override summary = 'Print the value of a setting.'
  // Settings are local: NDCLI_TOKEN plays no part.
  static override credential = 'none' as const
  static override description = `Prints the raw value (nothing when unset), so scripts can use it directly. Settings: ${Object.keys(CONFIG_KEYS).join(', ')}.`
  static override examples = ['<%= config.bin %> <%= command.id %> output.format', '<%= config.bin %> <%= command.id %> api.url']
  static override args = {key: configKeyArg}
  // A raw value, not a rendered record: `config get output.format` must print `json`, whatever the default format is.
  static override baseFlags = {}

  async run(): Promise<Rendered<string> | undefined> {
    const {key} = this.args
    assertConfigKey(key)
    const value = await this.configStore.get(key)
    if (value === undefined) {
      this.info(`${key} is not set.`)
      return undefined
    }
    return {view: rawValueView, data: value}
  }
}
