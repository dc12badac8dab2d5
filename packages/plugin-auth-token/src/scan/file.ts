/**
 * One file's search, shared by the main thread and the scan workers (scan/worker.ts): a few
 * synchronous syscalls per file (open, reads into one reused buffer, close; no stat, no
 * stream, no promise), binary files (a NUL byte in the first 8 KiB, as git and grep decide)
 * skipped, files larger than a chunk streamed with an overlap so a token across a chunk
 * boundary is still found. What it finds holds the token, for --revoke; callers must never
 * print more of it than its display prefix.
 */
import {closeSync, openSync, readSync, statSync} from 'node:fs'

import {Locator, type Position} from './locate.js'
import {CANDIDATE_SPAN, searchChunk} from './search.js'
import {simdFinder} from './simd.js'

/** Small enough that what read() copied is still in the CPU cache when indexOf runs (4 MiB chunks took twice the system time). */
export const CHUNK_SIZE = 128 * 1024
const BINARY_SNIFF = 8192

/** A file to search: `listed` ones come from git's list, where a file deleted since, or a submodule, is no error. */
export interface FileItem {
  path: string
  listed: boolean
}

export interface FileHit extends Position {
  /** The whole secret: for revocation only, never to be printed. */
  token: string
}

export interface FileResult {
  /** False for a binary file, a directory or a vanished listed file: not counted as scanned. */
  scanned: boolean
  bytes: number
  lookalikes: number
  hits: FileHit[]
  /** Why it could not be read (reported, the scan goes on). */
  unreadable?: string
}

const NOTHING: FileResult = {scanned: false, bytes: 0, lookalikes: 0, hits: []}

export class FileSearcher {
  private readonly buffer: Buffer
  private readonly find: ((from: number, end: number) => number) | undefined

  constructor(private readonly chunkSize = CHUNK_SIZE) {
    // Read straight into the SIMD finder's memory, where there is one.
    const simd = simdFinder(chunkSize + CANDIDATE_SPAN)
    this.buffer = simd?.buffer ?? Buffer.allocUnsafe(chunkSize + CANDIDATE_SPAN)
    this.find = simd?.find
  }

  search(item: FileItem): FileResult {
    if (item.listed) {
      try {
        if (!statSync(item.path).isFile()) return NOTHING
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NOTHING
        return {...NOTHING, unreadable: reasonOf(error)}
      }
    }
    let fd: number
    try {
      fd = openSync(item.path, 'r')
    } catch (error) {
      return {...NOTHING, unreadable: reasonOf(error)}
    }
    try {
      return this.searchOpen(fd)
    } catch (error) {
      return {...NOTHING, unreadable: reasonOf(error)}
    } finally {
      closeSync(fd)
    }
  }

  private searchOpen(fd: number): FileResult {
    const {buffer, chunkSize} = this
    const offsets: number[] = []
    const tokens: string[] = []
    let kept = 0
    let base = 0
    let bytes = 0
    let lookalikes = 0
    for (let first = true; ; first = false) {
      const read = readSync(fd, buffer, kept, chunkSize, null)
      const length = kept + read
      if (first && buffer.subarray(0, Math.min(length, BINARY_SNIFF)).includes(0)) return NOTHING
      bytes += read
      const final = read < chunkSize
      const chunk = buffer.subarray(0, length)
      const result = searchChunk(chunk, 0, final, this.find)
      lookalikes += result.lookalikes
      for (const hit of result.hits) {
        offsets.push(base + hit.index)
        tokens.push(hit.token)
      }
      if (final) {
        if (offsets.length === 0) return {scanned: true, bytes, lookalikes, hits: []}
        const positions = first ? new Locator().feed(chunk, offsets) : this.locate(fd, offsets)
        return {scanned: true, bytes, lookalikes, hits: tokens.map((token, i) => ({...positions[i]!, token}))}
      }
      // The unjudged tail moves to the front and the next read appends to it.
      kept = length - result.resumeAt
      buffer.copy(buffer, 0, result.resumeAt, length)
      base += result.resumeAt
    }
  }

  /** Lines and columns of offsets in a file larger than one chunk: a second pass, only for files with findings. */
  private locate(fd: number, offsets: number[]): Position[] {
    const locator = new Locator()
    const positions: Position[] = []
    let position = 0
    let next = 0
    while (next < offsets.length) {
      const read = readSync(fd, this.buffer, 0, this.chunkSize, position)
      if (read === 0) break
      const inPiece: number[] = []
      while (next < offsets.length && offsets[next]! < position + read) inPiece.push(offsets[next++]!)
      positions.push(...locator.feed(this.buffer.subarray(0, read), inPiece))
      position += read
    }
    return positions
  }
}

export function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory'
  if (code === 'ENOENT') return 'no such file or directory'
  if (code === 'ELOOP') return 'too many levels of symbolic links'
  return code ?? (error as Error).message
}
