/**
 * Reads npm package tarballs (as `npm pack` writes them) with node-tar, to look inside a
 * plugin before npm installs it — and runs its scripts. node-tar knows the formats npm and
 * other packers write: gzip (or none), ustar prefixes, pax and GNU long names, base-256 sizes.
 * Only this module imports it, and only `plugins install` imports this module.
 */
import {list} from 'tar/list'
import type {ReadEntry} from 'tar/read-entry'

import {UsageError} from '@ndcli/core'

export interface TarballContents {
  /** Every file path, without npm's leading `package/` folder. */
  files: string[]
  /** The contents of the files `wanted` selected. */
  read: Map<string, Buffer>
}

/** Regular files; directories, links and the like are neither listed nor read. */
const FILE_TYPES = new Set<ReadEntry['type']>(['File', 'OldFile', 'ContiguousFile'])

export async function readTarball(file: string, wanted: (path: string) => boolean): Promise<TarballContents> {
  const files: string[] = []
  const chunks = new Map<string, Buffer[]>()
  try {
    await list({
      file,
      strict: true, // a damaged archive fails instead of yielding part of a listing
      onReadEntry(entry) {
        const path = packagePath(entry)
        if (path === undefined) return // list() resumes (skips) what no one reads
        files.push(path)
        if (!wanted(path)) return
        const body: Buffer[] = []
        chunks.set(path, body)
        entry.on('data', (chunk: Buffer) => body.push(chunk))
      },
    })
  } catch (error) {
    throw new UsageError(`${file} is not a readable package tarball (${(error as Error).message}); give a tarball made by npm pack, or the package folder`, {
      code: 'not_a_tarball',
      cause: error,
    })
  }
  return {files, read: new Map([...chunks].map(([path, body]) => [path, Buffer.concat(body)]))}
}

/**
 * The entry's path inside the package, or undefined for what is not a file of it: a path that
 * is absolute or climbs out with `..` names nothing npm would install there, so it is ignored.
 */
function packagePath(entry: ReadEntry): string | undefined {
  if (!FILE_TYPES.has(entry.type)) return undefined
  const path = entry.path.replace(/^[^/]+\//, '') // npm's top folder, usually `package/`
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split(/[/\\]/).includes('..')) return undefined
  return path
}
