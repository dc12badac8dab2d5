/**
 * Decides whether `ndcli plugins install <source>` may go ahead: inspects the package
 * (a file: tarball or folder directly, a registry package through `npm pack`), applies
 * the trust rules, and asks for consent when one is needed — a person on a terminal, or
 * the allow-list (NDCLI_PLUGINS_ALLOW, plugins.allow) for CI.
 */
import {readFile, rm, stat} from 'node:fs/promises'
import {dirname, isAbsolute, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Interfaces} from '@oclif/core'
import {ConfigStore, ForbiddenError, pluginList, reportWarning, terminalPrompter, UsageError, type Prompter} from '@ndcli/core'

import {packFromRegistry, type FetchOptions} from './fetch.js'
import {inspectDirectory, inspectTarball, type PluginPackage} from './inspect.js'
import {assessPlugin} from './trust.js'

export const ALLOW_ENV = 'NDCLI_PLUGINS_ALLOW'

/** What oclif's `plugins install` passes to the plugins:preinstall hook. */
export type PluginSource = {type: 'npm'; name: string; tag: string} | {type: 'repo'; url: string}

export interface CheckOptions {
  shellCoreVersion: string
  /** Package names and URLs from NDCLI_PLUGINS_ALLOW and plugins.allow. */
  allowed: ReadonlySet<string>
  prompter: Prompter
  fetch?: FetchOptions
}

/** checkPluginInstall with this shell's settings: its @ndcli/core, the allow-lists, the terminal, npm through @oclif/plugin-plugins. */
export async function checkWithShellRules(source: PluginSource, config: Interfaces.Config): Promise<'install' | 'declined'> {
  const allowed = new Set([...pluginList(process.env[ALLOW_ENV]), ...pluginList(await new ConfigStore(config.configDir).get('plugins.allow'))])
  return checkPluginInstall(source, {
    shellCoreVersion: await shellCoreVersion(),
    allowed,
    prompter: terminalPrompter,
    fetch: {registry: config.npmRegistry, pluginPluginsRoot: config.plugins.get('@oclif/plugin-plugins')?.root},
  })
}

/** The @ndcli/core this shell runs on; its package.json is not exported, so find it next to the entry point. */
async function shellCoreVersion(): Promise<string> {
  const packageJson = new URL('../package.json', import.meta.resolve('@ndcli/core'))
  return (JSON.parse(await readFile(fileURLToPath(packageJson), 'utf8')) as {version: string}).version
}

export async function checkPluginInstall(source: PluginSource, options: CheckOptions): Promise<'install' | 'declined'> {
  const inspected = await inspect(source, options.fetch)
  if (inspected === undefined) {
    const url = (source as {url: string}).url
    return allowedOrRefused(url, `${url} cannot be checked before installing (only npm packages and file: tarballs or folders can)`, options)
  }
  const assessment = assessPlugin(inspected, options.shellCoreVersion)
  switch (assessment.verdict) {
    case 'accept':
      return 'install'
    case 'refuse':
      throw assessment.error
    case 'unverified':
      return allowedOrRefused(inspected.name, assessment.reason, options)
    case 'confirm':
      return confirmed(inspected.name, assessment.concern, options)
  }
}

/** The package's contents, or undefined for sources that cannot be read before installing (git URLs). */
async function inspect(source: PluginSource, fetchOptions?: FetchOptions): Promise<PluginPackage | undefined> {
  if (source.type === 'npm') {
    const tarball = await packFromRegistry(`${source.name}@${source.tag}`, fetchOptions)
    try {
      return await inspectTarball(tarball)
    } finally {
      await rm(dirname(tarball), {recursive: true, force: true})
    }
  }
  const path = localPath(source.url)
  if (path === undefined) return undefined
  const found = await stat(path).catch(() => undefined)
  if (!found) throw new UsageError(`${source.url}: no such file or folder — give the absolute path of a plugin tarball (npm pack) or folder`)
  return found.isDirectory() ? inspectDirectory(path) : inspectTarball(path)
}

/**
 * The path of a file: URL. npm runs in ndcli's data folder, so a relative path would be
 * looked up there: refuse it with the absolute form instead of failing inside npm.
 */
function localPath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined
  const path = url.startsWith('file://') ? fileURLToPath(url) : decodeURIComponent(url.slice('file:'.length))
  if (!isAbsolute(path)) {
    throw new UsageError(`${url} is a relative path, which npm would look up in ndcli's data folder; use an absolute one: file:${resolve(path)}`)
  }
  return path
}

function allowedOrRefused(name: string, reason: string, options: CheckOptions): 'install' {
  if (!options.allowed.has(name)) {
    throw new ForbiddenError(`${reason}; to install it anyway, set ${ALLOW_ENV}=${name} or run 'ndcli config set plugins.allow ${name}'`, {
      code: 'plugin_not_allowed',
    })
  }
  reportWarning(`${reason}; installing it because ${ALLOW_ENV} or plugins.allow lists it`)
  return 'install'
}

async function confirmed(name: string, concern: string, options: CheckOptions): Promise<'install' | 'declined'> {
  if (options.allowed.has(name)) {
    reportWarning(`${concern}; installing it because ${ALLOW_ENV} or plugins.allow lists it`)
    return 'install'
  }
  if (!options.prompter.interactive()) {
    throw new UsageError(`${concern}; to install it anyway, set ${ALLOW_ENV}=${name} or run 'ndcli config set plugins.allow ${name}'`, {
      code: 'plugin_not_allowed',
    })
  }
  reportWarning(concern)
  return (await options.prompter.confirm(`Install ${name} anyway?`, {default: false})) ? 'install' : 'declined'
}
