/**
 * Downloads a registry package's tarball with `npm pack` (which runs none of its
 * scripts), so it can be inspected before `npm install` would run them.
 */
import {execFile} from 'node:child_process'
import {mkdtemp} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {promisify} from 'node:util'

import {NdError} from '@ndcli/core'

export interface FetchOptions {
  /** oclif's NDCLI_NPM_REGISTRY, which `plugins install` also passes to npm. */
  registry?: string
  /** Where @oclif/plugin-plugins lives: its pinned npm is the one that will install the plugin. */
  pluginPluginsRoot?: string
}

export async function packFromRegistry(spec: string, options: FetchOptions = {}): Promise<string> {
  const destination = await mkdtemp(join(tmpdir(), 'ndcli-plugin-check-'))
  const args = ['pack', spec, '--pack-destination', destination, '--json', '--loglevel=error', '--ignore-scripts']
  if (options.registry) args.push(`--registry=${options.registry}`)
  try {
    const {stdout} = await promisify(execFile)(process.execPath, [npmCli(options.pluginPluginsRoot), ...args], {maxBuffer: 16 * 1024 * 1024})
    const [packed] = JSON.parse(stdout) as Array<{filename: string}>
    if (!packed) throw new Error('npm pack reported no tarball')
    return join(destination, packed.filename)
  } catch (error) {
    const stderr = (error as {stderr?: string}).stderr ?? ''
    const reason = /npm error (?:code )?(.+)/.exec(stderr)?.[1] ?? (error as Error).message
    throw new NdError(`Could not download ${spec} to check it before installing: ${reason}`, {
      code: 'plugin_fetch_failed',
      hint: 'check the package name and the registry (NDCLI_NPM_REGISTRY), or install from a tarball: ndcli plugins install file:/absolute/path/plugin.tgz',
      cause: error,
    })
  }
}

/** npm's CLI script: the copy @oclif/plugin-plugins pins, else the one next to node. */
function npmCli(pluginPluginsRoot: string | undefined): string {
  if (pluginPluginsRoot) {
    try {
      // As @oclif/plugin-plugins finds it: npm exports only its package.json.
      return join(dirname(createRequire(join(pluginPluginsRoot, 'package.json')).resolve('npm/package.json')), 'bin', 'npm-cli.js')
    } catch {
      // fall through to the npm installed with node
    }
  }
  return join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')
}
