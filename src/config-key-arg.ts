import {Args} from '@oclif/core'
import {CONFIG_KEYS} from '@ndcli/core'

/** The setting a `config` command acts on: oclif refuses any name but CONFIG_KEYS' (exit 2). */
export const configKeyArg = Args.string({description: 'Setting name', required: true, options: Object.keys(CONFIG_KEYS)})
