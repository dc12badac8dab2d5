/**
 * What a plugin package would add to the shell, read from its files without running
 * any of its code: its package.json, the command ids (from oclif.manifest.json, else
 * from the file names in its commands folder) and the @ndcli/core it bundles.
 */
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {UsageError} from '@ndcli/core'

import {readTarball} from './tarball.js'

const PACKAGE_JSON = 'package.json'
const OCLIF_MANIFEST = 'oclif.manifest.json'
const BUNDLED_CORE = 'node_modules/@ndcli/core/package.json'

export interface PackageJson {
  name?: string
  version?: string
  oclif?: {commands?: string | {strategy?: string; target?: string}; hooks?: Record<string, unknown>}
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

export interface PluginPackage {
  name: string
  version: string
  packageJson: PackageJson
  /** Command ids and aliases it adds; undefined when they cannot be known without running its code. */
  commandIds?: string[]
  /** The version of the @ndcli/core copy it ships, when it bundles one. */
  bundledCoreVersion?: string
}

interface PackageFiles {
  packageJson?: string
  manifest?: string
  bundledCore?: string
  /** Paths of every file, relative to the package folder. */
  listing: string[]
}

export async function inspectTarball(file: string): Promise<PluginPackage> {
  const wanted = new Set([PACKAGE_JSON, OCLIF_MANIFEST, BUNDLED_CORE])
  const {files, read} = await readTarball(file, (path) => wanted.has(path))
  return describe(file, {
    packageJson: read.get(PACKAGE_JSON)?.toString('utf8'),
    manifest: read.get(OCLIF_MANIFEST)?.toString('utf8'),
    bundledCore: read.get(BUNDLED_CORE)?.toString('utf8'),
    listing: files,
  })
}

export async function inspectDirectory(dir: string): Promise<PluginPackage> {
  const optional = (path: string) => readFile(join(dir, path), 'utf8').catch(() => undefined)
  const packageJson = await optional(PACKAGE_JSON)
  const target = packageJson ? commandsFolder(parse<PackageJson>(packageJson, dir)) : undefined
  const listing = target ? await readdir(join(dir, target), {recursive: true}).then((names) => names.map((name) => `${target}/${name}`), () => []) : []
  return describe(dir, {packageJson, manifest: await optional(OCLIF_MANIFEST), bundledCore: await optional(BUNDLED_CORE), listing})
}

function describe(source: string, files: PackageFiles): PluginPackage {
  if (files.packageJson === undefined) throw new UsageError(`${source} is not a package: it has no package.json`)
  const packageJson = parse<PackageJson>(files.packageJson, source)
  return {
    name: packageJson.name ?? '(unnamed)',
    version: packageJson.version ?? '0.0.0',
    packageJson,
    commandIds: files.manifest ? idsFromManifest(parse<OclifManifest>(files.manifest, source)) : idsFromListing(packageJson, files.listing),
    bundledCoreVersion: files.bundledCore ? parse<PackageJson>(files.bundledCore, source).version : undefined,
  }
}

interface OclifManifest {
  commands?: Record<string, {aliases?: string[]; hiddenAliases?: string[]}>
}

function idsFromManifest(manifest: OclifManifest): string[] {
  return Object.entries(manifest.commands ?? {}).flatMap(([id, command]) => [id, ...(command.aliases ?? []), ...(command.hiddenAliases ?? [])])
}

/** oclif's "pattern" strategy: commands/auth/login.js → auth:login, commands/auth/index.js → auth. */
function idsFromListing(packageJson: PackageJson, listing: string[]): string[] | undefined {
  const folder = commandsFolder(packageJson)
  if (folder === undefined) return packageJson.oclif?.commands === undefined ? [] : undefined
  const ids = new Set<string>()
  for (const path of listing) {
    if (!path.startsWith(folder + '/') || !/\.[cm]?[jt]s$/.test(path) || /\.d\.[cm]?ts$|\.(test|spec)\.[cm]?[jt]s$/.test(path)) continue
    const words = path.slice(folder.length + 1).replace(/\.[cm]?[jt]s$/, '').split('/')
    if (words.at(-1) === 'index') words.pop()
    if (words.length > 0) ids.add(words.join(':'))
  }
  return [...ids]
}

/** The commands folder relative to the package, or undefined when commands are not files in a folder. */
function commandsFolder(packageJson: PackageJson): string | undefined {
  const commands = packageJson.oclif?.commands
  const target = typeof commands === 'string' ? commands : commands?.strategy === 'pattern' ? commands.target : undefined
  return target?.replace(/^\.\//, '').replace(/\/+$/, '')
}

function parse<T>(json: string, source: string): T {
  try {
    return JSON.parse(json) as T
  } catch {
    throw new UsageError(`${source} is not a usable package: its package.json or oclif.manifest.json is not valid JSON`)
  }
}
