/**
 * The search itself: `ndpat_` located with Buffer#indexOf (a native byte search) or, for
 * files, the SIMD finder of scan/simd.ts, each
 * candidate checked with @ndcli/core's validatePat, so only real ndcli tokens count and a
 * lookalike with a bad checksum is merely counted. Works on chunks of a larger input: a
 * candidate too close to a chunk's end is left for the next one (see `resumeAt`).
 */
import {PAT_BODY_LENGTH, PAT_LENGTH, PAT_PREFIX, validatePat} from '@ndcli/core'

const PREFIX = Buffer.from(PAT_PREFIX, 'latin1')
/**
 * What indexOf looks for: the prefix without its first two letters. For needles this short
 * Node's search runs memchr on the first byte and compares from each match, so a rarer first
 * byte than `n` (~7 % of English text, more in code) makes it ~2–3× faster; `nd` is checked after.
 */
const NEEDLE = PREFIX.subarray(2)
const N = PREFIX[0]!
const D = PREFIX[1]!
/** Bytes a candidate needs in view: the token and the byte after it (which must not extend it). */
export const CANDIDATE_SPAN = PAT_LENGTH + 1

/** Where a valid token starts in the searched buffer, and the token (kept in memory only, never printed). */
export interface Hit {
  index: number
  token: string
}

export interface ChunkResult {
  hits: Hit[]
  /** Well-shaped `ndpat_` + 43 base64url characters whose checksum does not match. */
  lookalikes: number
  /** With more input to come: the first index not examined, to be searched again with the next bytes. */
  resumeAt: number
}

const isBase64url = (byte: number | undefined) =>
  byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x5f)

/**
 * Searches buf from `start` to its end. `final`: no bytes follow; otherwise a candidate
 * starting within CANDIDATE_SPAN of the end is not judged and `resumeAt` points at the first
 * byte that can still begin one. `find` (scan/simd.ts): the candidates' finder over buf.
 */
export function searchChunk(buf: Buffer, start: number, final: boolean, find?: (from: number, end: number) => number): ChunkResult {
  const hits: Hit[] = []
  let lookalikes = 0
  const end = buf.length
  const limit = final ? end - PAT_LENGTH : end - CANDIDATE_SPAN
  const next = find ?? ((from: number) => byIndexOf(buf, from))
  for (let index = next(start, end); index !== -1 && index <= limit; index = next(index + 1, end)) {
    if (!hasPrefix(buf, index)) continue
    const body = index + PREFIX.length
    let run = 0
    while (run <= PAT_BODY_LENGTH && body + run < end && isBase64url(buf[body + run])) run++
    // Exactly 43 base64url characters: a longer run is some other identifier, a shorter one no token.
    if (run !== PAT_BODY_LENGTH) continue
    const token = buf.toString('latin1', index, index + PAT_LENGTH)
    if (validatePat(token).valid) hits.push({index, token})
    else lookalikes++
  }
  return {hits, lookalikes, resumeAt: final ? end : Math.max(start, end - CANDIDATE_SPAN + 1)}
}

/** The next place `ndpat_` may start at or after `from`, by Buffer#indexOf (anything not in a SIMD finder's memory: stdin, diffs). */
function byIndexOf(buf: Buffer, from: number): number {
  const found = buf.indexOf(NEEDLE, from + 2)
  return found === -1 ? -1 : found - 2
}

function hasPrefix(buf: Buffer, index: number): boolean {
  if (buf[index] !== N || buf[index + 1] !== D) return false
  for (let i = 2; i < PREFIX.length; i++) if (buf[index + i] !== PREFIX[i]) return false
  return true
}
