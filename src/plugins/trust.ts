/**
 * The trust rules for `ndcli plugins install`, as pure functions of what a package
 * contains (docs/plugins.md, "Trust rules"):
 * - not an oclif plugin → refused;
 * - adds an `auth` command and is not @ndcli/plugin-auth-token → refused (it could read
 *   the credentials people type or store);
 * - commands that cannot be listed without running its code → only if allowed;
 * - built against another @ndcli/core major → only with consent (prompt or allow-list).
 */
import {ForbiddenError, UsageError, type NdError} from '@ndcli/core'

import {admitsMajor} from './core-range.js'
import type {PluginPackage} from './inspect.js'

/** The one package allowed to add `auth` commands besides the shell itself (its upgrades included). */
export const AUTH_PLUGIN = '@ndcli/plugin-auth-token'
export const PROTECTED_TOPIC = 'auth'

export type Assessment =
  | {verdict: 'accept'}
  | {verdict: 'refuse'; error: NdError}
  /** Installed only when the allow-list names it: nothing a prompt could show would help. */
  | {verdict: 'unverified'; reason: string}
  /** Installed after a person agrees, or when the allow-list names it. */
  | {verdict: 'confirm'; concern: string}

export function assessPlugin(plugin: PluginPackage, shellCoreVersion: string): Assessment {
  const label = `${plugin.name}@${plugin.version}`
  if (!plugin.packageJson.oclif) {
    return {
      verdict: 'refuse',
      error: new UsageError(`${label} is not an ndcli plugin: its package.json has no "oclif" section — check the package name or path`, {code: 'not_a_plugin'}),
    }
  }
  if (plugin.commandIds === undefined) {
    return {verdict: 'unverified', reason: `the commands of ${label} cannot be listed without running its code (no oclif.manifest.json)`}
  }
  const shadowed = plugin.commandIds.find((id) => id === PROTECTED_TOPIC || id.startsWith(PROTECTED_TOPIC + ':'))
  if (shadowed && plugin.name !== AUTH_PLUGIN) {
    return {
      verdict: 'refuse',
      error: new ForbiddenError(
        `${label} would replace ndcli's "${shadowed.replaceAll(':', ' ')}" command; only ndcli and ${AUTH_PLUGIN} may add ${PROTECTED_TOPIC} commands — ask its author to use another topic`,
        {code: 'plugin_shadows_auth'},
      ),
    }
  }
  const concern = coreConcern(plugin, label, shellCoreVersion)
  return concern ? {verdict: 'confirm', concern} : {verdict: 'accept'}
}

/** Built against @ndcli/core of another major than the shell's: config and credential formats may differ. */
function coreConcern(plugin: PluginPackage, label: string, shellCoreVersion: string): string | undefined {
  const {dependencies = {}, peerDependencies = {}} = plugin.packageJson
  const range = plugin.bundledCoreVersion ?? dependencies['@ndcli/core'] ?? peerDependencies['@ndcli/core']
  if (range === undefined) return undefined // a plain oclif plugin: it shares nothing with @ndcli/core
  const shellMajor = Number(shellCoreVersion.split('.')[0])
  const admitted = admitsMajor(range, shellMajor)
  if (admitted === true) return undefined
  return admitted === false
    ? `${label} is built for @ndcli/core ${range}, but this ndcli has @ndcli/core ${shellCoreVersion}: its commands may fail`
    : `cannot tell which @ndcli/core ${label} is built for ("${range}"); this ndcli has ${shellCoreVersion}`
}
