/**
 * The update notice, in the init hook of every run (README, "Updates"): oclif's
 * plugin-warn-if-update-available, made cheap on the hot path. Its settings and files are the
 * plugin's: the feed is `oclif.warn-if-update-available.registry` in package.json, else
 * NDCLI_NPM_REGISTRY (oclif's npmRegistry), an npm-registry-shaped URL whose `<feed>/<name>`
 * document has `dist-tags`; `<cacheDir>/version` caches them. With no feed (a clone, a release
 * packed without --update-feed) nothing is checked: `ndcli` on the public registry is not ours.
 *
 * A run reads at most that one small file; when it is missing or older than `timeoutInDays`
 * (default 1) it starts dist/update-check.js detached and does not wait for it. Never under
 * NDCLI_SKIP_NEW_VERSION_CHECK=true or in CI. Node's modules come through getBuiltinModule:
 * importing them would add their ESM facades to every run.
 */
import type {Interfaces} from '@oclif/core'
import {reportWarning} from '@ndcli/core'

const DAY_MS = 86_400_000

interface UpdateSettings {
  registry?: string
  timeoutInDays?: number
}

export function updateNotice(config: Interfaces.Config, env: NodeJS.ProcessEnv = process.env): void {
  if (config.scopedEnvVarTrue('SKIP_NEW_VERSION_CHECK') || (env.CI && env.CI !== 'false' && env.CI !== '0')) return
  // The prerelease a developer runs is never "behind" a release (as the oclif plugin).
  if (config.version.includes('-')) return
  const settings: UpdateSettings = (config.pjson.oclif as {'warn-if-update-available'?: UpdateSettings})['warn-if-update-available'] ?? {}
  const registry = settings.registry ?? config.npmRegistry
  if (!registry) return
  const fs = process.getBuiltinModule('node:fs')
  const file = `${config.cacheDir}/version`
  let modified: number | undefined
  try {
    modified = fs.statSync(file).mtimeMs
    const latest = (JSON.parse(fs.readFileSync(file, 'utf8')) as {latest?: unknown}).latest
    if (typeof latest === 'string' && newer(latest, config.version)) {
      reportWarning(`${config.bin} update available from ${config.version} to ${latest}.`)
    }
  } catch {
    // No cache yet, or a damaged one: the check below writes it anew.
  }
  if (modified !== undefined && Date.now() - modified < (settings.timeoutInDays ?? 1) * DAY_MS) return
  const script = new URL('update-check.js', import.meta.url).pathname
  process.getBuiltinModule('node:child_process')
    .spawn(process.execPath, [script, config.name, file, config.version, registry], {detached: !config.windows, stdio: 'ignore', windowsHide: true})
    .unref()
}

/** True when release `a` (x.y.z, a prerelease's own part ignored) is after `b`. */
export function newer(a: string, b: string): boolean {
  const parts = (version: string) => version.split('-', 1)[0]!.split('.').map(Number)
  const [left, right] = [parts(a), parts(b)]
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0)
    if (Number.isNaN(difference)) return false
    if (difference !== 0) return difference > 0
  }
  return false
}
