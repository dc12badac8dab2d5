import {NdCommand, CONFIG_KEYS, type ConfigKey, type ListView, type Rendered} from '@ndcli/core'

interface Setting {
  key: ConfigKey
  value: string | null
  description: string
}

const view: ListView<Setting> = {
  kind: 'list',
  fields: [
    {header: 'KEY', label: 'Key', value: (s) => s.key},
    {header: 'VALUE', label: 'Value', value: (s) => s.value ?? '-'},
    {header: 'DESCRIPTION', label: 'Description', value: (s) => s.description},
  ],
  empty: 'No settings',
}

export default class ConfigList extends NdCommand<typeof ConfigList> {
  static override summary = 'List every setting with its value.'
  // Settings are local: NDCLI_TOKEN plays no part.
  static override credential = 'none' as const
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -f json']

  async run(): Promise<Rendered<Setting>> {
    const values = await this.configStore.read()
    const data = (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((key) => ({key, value: values[key] ?? null, description: CONFIG_KEYS[key].description}))
    return {view, data}
  }
}
