/**
 * The scanning engine of `auth token scan`: files (git's list of them inside a work tree, else
 * a walk that follows no symlink loop), standard input, a repository's history and its staged
 * changes. Each file is searched by scan/file.ts, on every core when there are many
 * (scan/parallel.ts). What it finds holds the token, for --revoke; callers must never print
 * more of it than its display prefix.
 */
import {existsSync, readdirSync, realpathSync, statSync, type Dirent, type Stats} from 'node:fs'
import {delimiter, dirname, isAbsolute, join, normalize, resolve, sep} from 'node:path'

import {reasonOf, type FileItem} from './file.js'
import {Locator} from './locate.js'
import {searchFiles, type ParallelOptions} from './parallel.js'
import {searchChunk} from './search.js'

export type FindingSource = 'file' | 'stdin' | 'git-history' | 'staged'

export interface Finding {
  path: string
  line: number
  column: number
  /** The whole secret: for revocation only, never to be printed. */
  token: string
  commit: string | null
  source: FindingSource
}

export interface ScanEvents {
  /** A path that could not be read (permission, I/O error): reported, the scan goes on. */
  unreadable(path: string, reason: string): void
}

/** The name standard input is reported under. */
export const STDIN_PATH = '(stdin)'

export class Scanner {
  readonly findings: Finding[] = []
  lookalikes = 0
  files = 0
  bytes = 0
  /** Worker threads the file search used (0: the main thread alone), for --verbose. */
  workers = 0

  constructor(
    private readonly events: ScanEvents,
    private readonly options: ParallelOptions = {},
  ) {}

  /** A file or directory given on the command line; `useGit`: inside a work tree, only what git does not ignore. */
  async scanPath(path: string, stats: Stats, useGit: boolean): Promise<void> {
    const items: FileItem[] = []
    if (!stats.isDirectory()) items.push({path, listed: false})
    else {
      const listed = useGit && mayBeInWorkTree(path) ? await gitFiles(path) : undefined
      if (listed) for (const relative of listed) items.push({path: join(path, relative), listed: true})
      else this.walk(normalize(path), new Set(), items)
    }
    await this.searchAll(items)
  }

  /** Standard input (CI logs), streamed: lines are counted as it arrives. */
  async scanStream(stream: AsyncIterable<string | Buffer>, path = STDIN_PATH): Promise<void> {
    const locator = new Locator()
    let carry = Buffer.alloc(0)
    let offset = 0
    const take = (bytes: Buffer, final: boolean) => {
      const result = searchChunk(bytes, 0, final)
      this.lookalikes += result.lookalikes
      const done = bytes.subarray(0, result.resumeAt)
      const positions = locator.feed(done, result.hits.map((hit) => offset + hit.index))
      result.hits.forEach((hit, i) => this.findings.push({path, ...positions[i]!, token: hit.token, commit: null, source: 'stdin'}))
      offset += result.resumeAt
      carry = Buffer.from(bytes.subarray(result.resumeAt))
    }
    for await (const chunk of stream) {
      const piece = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      this.bytes += piece.length
      take(carry.length > 0 ? Buffer.concat([carry, piece]) : piece, false)
    }
    take(carry, true)
    this.files++
  }

  /** `git log -p --all`'s added lines in the repository at `dir` (limited to it), each with its commit. */
  scanHistory(dir: string): Promise<void> {
    return this.scanDiff(dir, ['log', '-p', '--all', '--format=%x00%H'], 'git-history')
  }

  /** The staged changes' added lines (`git diff --cached`), for a pre-commit hook. */
  scanStaged(dir: string): Promise<void> {
    return this.scanDiff(dir, ['diff', '--cached'], 'staged')
  }

  /**
   * Without git: every regular file, symlinks followed, each directory entered once (by device
   * and inode), so no loop; each directory's names sorted. (Not readdir's recursive mode: it
   * follows a symlink to an ancestor for ever.) `dir` is normalized, so an entry's path is
   * `dir`/name as join() would give it, without join's normalizing each of thousands of paths
   * (two thirds of a 4,000-file walk).
   */
  private walk(dir: string, visited: Set<string>, items: FileItem[]): void {
    let entries: Dirent[]
    try {
      const key = identity(dir)
      if (visited.has(key)) return
      visited.add(key)
      entries = readdirSync(dir, {withFileTypes: true}).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    } catch (error) {
      this.events.unreadable(dir, reasonOf(error))
      return
    }
    const prefix = dir === '.' || dir === `.${sep}` ? '' : dir.endsWith(sep) ? dir : dir + sep
    for (const entry of entries) {
      const path = prefix + entry.name
      // The entry's type needs no stat; a symlink's target does.
      if (entry.isFile()) items.push({path, listed: false})
      else if (entry.isDirectory()) this.walk(path, visited, items)
      else if (entry.isSymbolicLink()) this.followLink(path, visited, items)
    }
  }

  private followLink(path: string, visited: Set<string>, items: FileItem[]): void {
    let target: Stats
    try {
      target = statSync(path)
    } catch (error) {
      // A dangling symlink names nothing to scan.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.events.unreadable(path, reasonOf(error))
      return
    }
    if (target.isDirectory()) this.walk(path, visited, items)
    else if (target.isFile()) items.push({path, listed: false})
  }

  /** The files' search (on every core when they are many: scan/parallel.ts); findings and errors in the files' order. */
  private async searchAll(items: FileItem[]): Promise<void> {
    const totals = await searchFiles(items, this.options)
    this.files += totals.files
    this.bytes += totals.bytes
    this.lookalikes += totals.lookalikes
    this.workers = Math.max(this.workers, totals.workers)
    for (const [index, result] of totals.notable) {
      const path = items[index]!.path
      if (result.unreadable !== undefined) this.events.unreadable(path, result.unreadable)
      for (const hit of result.hits) this.findings.push({path, line: hit.line, column: hit.column, token: hit.token, commit: null, source: 'file'})
    }
  }

  private async scanDiff(dir: string, command: string[], source: FindingSource): Promise<void> {
    const args = [
      '-c', 'core.quotePath=false', '-C', dir, ...command,
      '--unified=0', '--no-color', '--no-ext-diff', '--no-textconv', '--relative', '--src-prefix=a/', '--dst-prefix=b/',
    ]
    const parser = new DiffParser((line, path, lineNumber, commit) => {
      const bytes = Buffer.from(line)
      const result = searchChunk(bytes, 0, true)
      this.lookalikes += result.lookalikes
      for (const hit of result.hits) {
        const column = bytes.subarray(0, hit.index).toString('utf8').length + 1
        this.findings.push({path: join(dir, path), line: lineNumber, column, token: hit.token, commit, source})
      }
    })
    await runGit(args, (text) => {
      this.bytes += Buffer.byteLength(text)
      parser.write(text)
    })
    parser.end()
  }
}

/**
 * `git log -p` / `git diff` output, unified=0: each added line with the path it was added to,
 * its line number in that version (from the @@ header), and the commit (a `%x00%H` line).
 * Hunk line counts say where a hunk ends, so an added line that itself starts with `++ ` is
 * never taken for a header.
 */
export class DiffParser {
  private pending = ''
  private commit: string | null = null
  private path: string | null = null
  private newLine = 0
  private oldLeft = 0
  private newLeft = 0

  constructor(private readonly added: (line: string, path: string, lineNumber: number, commit: string | null) => void) {}

  write(text: string): void {
    const lines = (this.pending + text).split('\n')
    this.pending = lines.pop()!
    for (const line of lines) this.line(line)
  }

  end(): void {
    if (this.pending) this.line(this.pending)
    this.pending = ''
  }

  private line(line: string): void {
    if (this.oldLeft > 0 || this.newLeft > 0) {
      const kind = line[0]
      if (kind === '+') {
        this.newLeft--
        if (this.path !== null && line.includes('pat_')) this.added(line.slice(1), this.path, this.newLine, this.commit)
        this.newLine++
        return
      }
      if (kind === '-') {
        this.oldLeft--
        return
      }
      if (kind === '\\') return
      // Anything else ends the hunk early (should not happen with --unified=0).
      this.oldLeft = this.newLeft = 0
    }
    if (line.startsWith('\0')) {
      this.commit = line.slice(1).trim()
      this.path = null
    } else if (line.startsWith('diff --git ')) {
      this.path = null
    } else if (line.startsWith('+++ ')) {
      // git ends a path that has a space with a tab (for patch(1)).
      const target = unquote(line.slice(4).replace(/\t$/, ''))
      this.path = target.startsWith('b/') ? target.slice(2) : null
    } else if (line.startsWith('@@ ')) {
      const match = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line)
      if (!match) return
      this.oldLeft = match[1] === undefined ? 1 : Number(match[1])
      this.newLine = Number(match[2])
      this.newLeft = match[3] === undefined ? 1 : Number(match[3])
    }
  }
}

/** git's C-style quoting of unusual paths (`"b/t\303\244b"`), which core.quotePath=false only narrows. */
function unquote(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"')) return text
  const escapes: Record<string, number> = {n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, '"': 34, '\\': 92}
  const bytes: number[] = []
  const body = text.slice(1, -1)
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!
    if (char !== '\\') {
      bytes.push(...Buffer.from(char))
      continue
    }
    const next = body[++i]!
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(body.slice(i, i + 3), 8))
      i += 2
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0))
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** A directory's device and inode: the same directory under two names (a symlink) is entered once. */
function identity(dir: string): string {
  const stats = statSync(dir)
  return `${stats.dev}:${stats.ino}`
}

/**
 * Whether git could find a repository for `dir`: a .git in it or an ancestor below the first of
 * GIT_CEILING_DIRECTORIES (git's own discovery), or GIT_DIR / GIT_WORK_TREE set. Outside one,
 * asking git (a process that fails) costs ~10 ms of waiting.
 */
function mayBeInWorkTree(dir: string): boolean {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return true
  const ceilings = ceilingDirectories()
  // git walks up from the real path of its working directory, which is never excluded itself.
  for (let at = realpathSync(dir); ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return true
    if (dirname(at) === at || ceilings.has(dirname(at))) return false
  }
}

/**
 * GIT_CEILING_DIRECTORIES as git reads it (setup.c): absolute entries only, each as its real
 * path, except those after an empty entry, which are taken as written; an entry that does not
 * resolve is dropped.
 */
function ceilingDirectories(): Set<string> {
  const ceilings = new Set<string>()
  let resolveLinks = true
  for (const entry of (process.env.GIT_CEILING_DIRECTORIES ?? '').split(delimiter)) {
    if (entry === '') resolveLinks = false
    else if (isAbsolute(entry)) {
      try {
        ceilings.add(resolveLinks ? realpathSync(entry) : resolve(entry))
      } catch {
        // git drops it too.
      }
    }
  }
  return ceilings
}

/** The files git lists in the work tree at `dir` (tracked and untracked, not ignored), or undefined outside one (or without git). */
async function gitFiles(dir: string): Promise<string[] | undefined> {
  const chunks: Buffer[] = []
  try {
    await runGit(['-C', dir, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], (text) => chunks.push(Buffer.from(text, 'latin1')), 'buffer')
  } catch {
    return undefined
  }
  const listed = Buffer.concat(chunks).toString('utf8').split('\0')
  listed.pop()
  // --cached lists a file once per merge stage during a conflict; tracked and untracked in one order.
  return [...new Set(listed)].sort()
}

export class GitError extends Error {}

/**
 * Streams git's stdout to `onData` (spawn, not exec: history can be far larger than any buffer).
 * child_process is imported here: a scan outside a work tree never runs git, and loading it costs ~1.4 ms (measured after the modules a scan loads anyway).
 */
async function runGit(args: string[], onData: (text: string) => void, mode: 'text' | 'buffer' = 'text'): Promise<void> {
  const {spawn} = await import('node:child_process')
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, GIT_PAGER: 'cat', LC_ALL: 'C'}})
    let stderr = ''
    if (mode === 'text') child.stdout.setEncoding('utf8')
    child.stdout.on('data', (data: string | Buffer) => onData(typeof data === 'string' ? data : data.toString('latin1')))
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data))
    child.on('error', (error) => reject(new GitError(`git could not run: ${reasonOf(error)}`)))
    child.on('close', (code) => (code === 0 ? resolve() : reject(new GitError(stderr.trim().split('\n')[0] || `git exited with ${code}`))))
  })
}
