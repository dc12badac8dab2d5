import {join} from 'node:path'

import {UsageError} from '../errors.js'
import {OUTPUT_FORMATS, type OutputFormat} from '../output/types.js'
import {readJsonFile, writeJsonFileAtomic} from './files.js'

/** The settings `ndcli config` manages, with how each is checked. */
export const CONFIG_KEYS = {
  'api.url': {
    description: 'URL of the control plane (overridden by NDCLI_API_URL)',
    validate(value: string): string {
      return checkApiUrl(value, 'api.url')
    },
  },
  'auth.storage': {
    description: 'where login sessions are stored: keyring (the OS keyring, the default) or file (a 0600 file) (overridden by NDCLI_AUTH_STORAGE)',
    validate(value: string): string {
      const storage = value.toLowerCase()
      if (storage !== 'keyring' && storage !== 'file') throw new UsageError(`auth.storage must be keyring or file`)
      return storage
    },
  },
  'output.format': {
    description: `default output format: ${OUTPUT_FORMATS.join(', ')}`,
    validate(value: string): string {
      const format = value.toLowerCase()
      if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(`output.format must be one of: ${OUTPUT_FORMATS.join(', ')}`)
      }
      return format
    },
  },
  'plugins.allow': {
    description: 'plugins `ndcli plugins install` may install without a prompt: package names or git URLs, comma-separated (also NDCLI_PLUGINS_ALLOW)',
    validate(value: string): string {
      const entries = pluginList(value)
      const invalid = entries.find((entry) => !PACKAGE_NAME.test(entry) && !entry.includes(':'))
      if (invalid !== undefined || entries.length === 0) {
        throw new UsageError(`plugins.allow must list npm package names or git URLs, comma-separated, e.g. @acme/plugin-deploy,ndcli-plugin-hello`)
      }
      return entries.join(',')
    },
  },
} as const

/**
 * An API URL as given in `setting` (NDCLI_API_URL or api.url), without trailing slashes; a usage
 * error naming the setting when it is not an http(s) URL, so no request is made to a value like `notaurl`.
 */
export function checkApiUrl(value: string, setting: string, hint?: string): string {
  const refuse = (what: string) => new UsageError(`${setting} must be an http:// or https:// URL${what}, e.g. http://127.0.0.1:4680`, {code: 'invalid_api_url', hint})
  // URL parsing silently drops tabs and newlines (and trims spaces); a value with them is a mistake, not a URL.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u0020\u007f]/.test(value)) throw refuse(' without spaces or control characters')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw refuse('')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('')
  return value.replace(/\/+$/, '')
}

/** An npm package name, scoped or not. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9~][a-z0-9._~-]*$/

/** `a, b,,c` → [a, b, c]: the format of plugins.allow and NDCLI_PLUGINS_ALLOW. */
export function pluginList(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(',').map((entry) => entry.trim()).filter(Boolean))]
}

export type ConfigKey = keyof typeof CONFIG_KEYS
export type ConfigValues = Partial<Record<ConfigKey, string>>

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key)
}

export function assertConfigKey(key: string): asserts key is ConfigKey {
  if (!isConfigKey(key)) {
    throw new UsageError(`Unknown setting "${key}". Settings: ${Object.keys(CONFIG_KEYS).join(', ')}`)
  }
}

/** `config.json` in oclif's config directory (moved by NDCLI_CONFIG_DIR). */
export class ConfigStore {
  readonly path: string

  constructor(configDir: string) {
    this.path = join(configDir, 'config.json')
  }

  async read(): Promise<ConfigValues> {
    const stored = (await readJsonFile<Record<string, unknown>>(this.path)) ?? {}
    const values: ConfigValues = {}
    for (const [key, value] of Object.entries(stored)) {
      if (isConfigKey(key) && typeof value === 'string') values[key] = value
    }
    return values
  }

  async get(key: ConfigKey): Promise<string | undefined> {
    return (await this.read())[key]
  }

  async set(key: ConfigKey, value: string): Promise<string> {
    const normalized = CONFIG_KEYS[key].validate(value)
    await this.write({...(await this.read()), [key]: normalized})
    return normalized
  }

  async unset(key: ConfigKey): Promise<void> {
    const values = await this.read()
    delete values[key]
    await this.write(values)
  }

  private async write(values: ConfigValues): Promise<void> {
    await writeJsonFileAtomic(this.path, values, {mode: 0o644, dirMode: 0o755})
  }
}

export function outputFormatFrom(value: string | undefined): OutputFormat | undefined {
  return value && (OUTPUT_FORMATS as readonly string[]).includes(value) ? (value as OutputFormat) : undefined
}
