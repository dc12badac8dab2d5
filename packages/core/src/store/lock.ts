import {readFileSync, statSync} from 'node:fs'
import {mkdir, open, rm} from 'node:fs/promises'
import {dirname} from 'node:path'

/** What a lock file holds (no secret): who holds it, since when. */
interface LockOwner {
  pid: number
  acquired_at: number
}

export interface FileLockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number
  /** A lock older than this is a crashed holder's, whatever its pid says (pids are reused). */
  staleMs?: number
  /** Between attempts. */
  pollMs?: number
  dirMode?: number
}

/** The lock is held by a live process for longer than the caller waits. */
export class LockTimeout extends Error {
  constructor(
    readonly path: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(`${path} is held by ${owner ? `process ${owner.pid}` : 'another process'}`)
    this.name = 'LockTimeout'
  }
}

/**
 * Runs `work` holding an exclusive lock file, across processes on this machine (and within one):
 * the file is created with O_EXCL, so exactly one creator wins; the others wait. A lock left by a
 * process that died (its pid is gone, or it is older than `staleMs`) is removed and taken.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  // A refresh can take the HTTP client's connect and response timeouts (40 s): wait longer than that.
  const {timeoutMs = 60_000, staleMs = 120_000, pollMs = 25, dirMode = 0o700} = options
  await mkdir(dirname(path), {recursive: true, mode: dirMode})
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const owner: LockOwner = {pid: process.pid, acquired_at: Date.now()}
    try {
      const handle = await open(path, 'wx', 0o600)
      try {
        await handle.writeFile(JSON.stringify(owner))
      } finally {
        await handle.close()
      }
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = readOwner(path)
    if (holder ? isStale(holder, staleMs) : isAbandonedEmpty(path)) {
      // Only if it is still that same stale lock (another waiter may have replaced it already).
      const now = readOwner(path)
      if (now?.pid === holder?.pid && now?.acquired_at === holder?.acquired_at) await rm(path, {force: true})
      continue
    }
    if (Date.now() >= deadline) throw new LockTimeout(path, holder)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  try {
    return await work()
  } finally {
    await rm(path, {force: true})
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>
    return typeof owner.pid === 'number' && typeof owner.acquired_at === 'number' ? (owner as LockOwner) : undefined
  } catch {
    // Missing (just released), or being written this instant: not stale, try again.
    return undefined
  }
}

/** A lock file its creator never wrote (it died between creating and writing it): unreadable for more than a moment. */
function isAbandonedEmpty(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > 2_000
  } catch {
    return false
  }
}

function isStale(owner: LockOwner, staleMs: number): boolean {
  if (Date.now() - owner.acquired_at > staleMs) return true
  if (owner.pid === process.pid) return false
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
