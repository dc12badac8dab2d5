/**
 * A small reader for npm package tarballs (gzipped ustar, as `npm pack` writes them),
 * enough to look inside a plugin before npm installs it — and runs its scripts.
 */
import {readFile} from 'node:fs/promises'
import {promisify} from 'node:util'
import {gunzip} from 'node:zlib'

const BLOCK = 512

export interface TarballContents {
  /** Every file path, without npm's leading `package/` folder. */
  files: string[]
  /** The contents of the files `wanted` selected. */
  read: Map<string, Buffer>
}

export async function readTarball(file: string, wanted: (path: string) => boolean): Promise<TarballContents> {
  const archive = await promisify(gunzip)(await readFile(file))
  const files: string[] = []
  const read = new Map<string, Buffer>()
  let longName: string | undefined // from a pax (`x`) or GNU (`L`) header, for the next entry
  for (let offset = 0; offset + BLOCK <= archive.length; ) {
    const header = archive.subarray(offset, offset + BLOCK)
    if (header.every((byte) => byte === 0)) break
    const size = octal(header.subarray(124, 136))
    const type = String.fromCharCode(header[156] ?? 0)
    const body = archive.subarray(offset + BLOCK, offset + BLOCK + size)
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK

    if (type === 'x') {
      longName = paxPath(body) ?? longName
      continue
    }
    if (type === 'L') {
      longName = text(body)
      continue
    }
    const name = longName ?? headerPath(header)
    longName = undefined
    if (type !== '0' && type !== '\0') continue // directories, links and the like
    const path = name.replace(/^[^/]+\//, '')
    files.push(path)
    if (wanted(path)) read.set(path, Buffer.from(body))
  }
  return {files, read}
}

function headerPath(header: Buffer): string {
  const name = text(header.subarray(0, 100))
  const ustar = text(header.subarray(257, 263)) === 'ustar'
  const prefix = ustar ? text(header.subarray(345, 500)) : ''
  return prefix ? `${prefix}/${name}` : name
}

/** pax records: "<length> <key>=<value>\n"… */
function paxPath(body: Buffer): string | undefined {
  for (const record of body.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record)
    if (match) return match[1]
  }
  return undefined
}

function octal(field: Buffer): number {
  const value = parseInt(text(field).trim() || '0', 8)
  if (!Number.isFinite(value)) throw new Error('not a tar archive (bad size field)')
  return value
}

function text(field: Buffer): string {
  const end = field.indexOf(0)
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8')
}
