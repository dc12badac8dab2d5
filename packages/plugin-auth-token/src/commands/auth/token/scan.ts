import {statSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {setTimeout as delay} from 'node:timers/promises'

import {Args, Flags} from '@oclif/core'
import {ApiError, NdCommand, NdError, patDisplayPrefix, UsageError, type Rendered} from '@ndcli/core'

import {TOKENS_MATCHED_EXIT_CODE} from '../../../flags.js'
import {prestartWorkers} from '../../../scan/pool.js'
import {GitError, Scanner, type Finding} from '../../../scan/scanner.js'
import {sarifLog} from '../../../scan/sarif.js'
import {scanFindingsView, type ScanFinding} from '../../../views.js'

/** The scan worker, built beside this command's bundle (dist/scan/worker.cjs, scripts/bundle.js). */
const WORKER_URL = new URL('../../../scan/worker.cjs', import.meta.url)

export default class TokenScan extends NdCommand<typeof TokenScan> {
  static override summary = 'Find ndcli tokens in files, git history or logs, and revoke them by value'
  static override description = `Reports every personal access token with a valid checksum (so no lookalike) under the given paths (default: the current directory; - reads standard input), as path:line:column with the token's prefix — never the whole secret, in any format. Inside a git work tree only the files git does not ignore are scanned (--no-ignore: all); binary files are skipped, large files streamed, symlink loops not followed; a large tree is searched on every core (NDCLI_SCAN_THREADS=1: one thread). Unreadable paths are reported on stderr and the scan goes on.

Exits ${TOKENS_MATCHED_EXIT_CODE} when it found any token, 0 when not (2 for a missing path).

--revoke ends each token found through the revoke-by-value endpoint: no login needed, only the tokens found are sent, and each finding is reported as "revoke submitted" (the control plane does not say whether a value was live).`

  static override examples = [
    {description: 'Scan a repository: its files (minus .gitignore) and every commit', command: '<%= config.bin %> <%= command.id %> --git-history'},
    {description: 'Scan a CI log on standard input and revoke whatever leaked', command: '$ ci-job 2>&1 | tee job.log | <%= config.bin %> <%= command.id %> - --revoke'},
    {description: 'As a pre-commit hook (.git/hooks/pre-commit): refuse a commit whose staged changes add a token', command: '<%= config.bin %> <%= command.id %> --staged'},
    {description: 'Write SARIF for GitHub code scanning or GitLab', command: '<%= config.bin %> <%= command.id %> --git-history --sarif ndcli-tokens.sarif'},
  ]

  /** Scanning needs no credential; --revoke sends the found values themselves, nothing else. */
  static override credential = 'none' as const
  static override strict = false

  static override args = {
    path: Args.string({description: 'Files or directories to scan (several allowed; default: .); - reads standard input.', ignoreStdin: true}),
  }

  static override flags = {
    'no-ignore': Flags.boolean({description: 'Inside a git work tree, scan also what .gitignore ignores (and untracked files it would hide).'}),
    'git-history': Flags.boolean({description: "Also scan every commit's added lines (git log -p --all) of the repositories at the given directories.", exclusive: ['staged']}),
    staged: Flags.boolean({description: 'Scan only the staged changes (git diff --cached), for a pre-commit hook.'}),
    sarif: Flags.string({description: 'Also write the findings as SARIF 2.1.0 to this file.', helpValue: '<file>'}),
    revoke: Flags.boolean({description: 'Revoke each token found by value (needs no login); reports "revoke submitted" per finding.'}),
    verbose: Flags.boolean({description: 'Report on stderr what was scanned and how many lookalikes (bad checksum) were ignored.'}),
  }

  /**
   * The workers' start-up (~25–40 ms here) is the longest item of a scan of files, so they start before
   * the settings and flags are read. Not when the words say the scan needs none (--staged, `-` for
   * standard input): ending a worker that is still starting holds the exit ~10 ms.
   */
  override async init(): Promise<void> {
    if (!this.argv.some((word) => word === '--staged' || word === '-')) prestartWorkers(WORKER_URL, threadsFromEnv({lenient: true}))
    await super.init()
  }

  async run(): Promise<Rendered<ScanFinding>> {
    const {argv} = await this.parse(TokenScan)
    const paths = argv.length > 0 ? (argv as string[]) : ['.']
    const {staged} = this.flags
    const threads = threadsFromEnv()
    const scanner = new Scanner({unreadable: (path, reason) => this.warn(`Cannot read ${path}: ${reason}; skipped.`)}, {workerUrl: WORKER_URL, threads})
    const targets = paths.map((path) => ({path, stats: path === '-' ? undefined : statOrRefuse(path)}))
    try {
      for (const {path, stats} of targets) {
        if (!stats) await scanner.scanStream(this.io.stdin)
        else if (staged) await scanner.scanStaged(stats.isDirectory() ? path : refuseFile(path, '--staged'))
        else {
          await scanner.scanPath(path, stats, !this.flags['no-ignore'])
          if (this.flags['git-history'] && stats.isDirectory()) await scanner.scanHistory(path)
        }
      }
    } catch (error) {
      if (error instanceof GitError) throw new UsageError(`${error.message} — ${staged ? '--staged' : '--git-history'} needs a directory inside a git repository.`)
      throw error
    }
    if (this.flags.verbose) {
      const onThreads = scanner.workers > 0 ? ` on ${scanner.workers + 1} threads` : ''
      this.info(`Scanned ${scanner.files} file(s), ${formatBytes(scanner.bytes)}${onThreads}; ${scanner.lookalikes} lookalike(s) with a bad checksum ignored.`)
    }
    const rows = scanner.findings.map(toRow)
    if (this.flags.revoke) await this.revokeAll(scanner.findings, rows)
    if (this.flags.sarif) await this.writeSarif(this.flags.sarif, rows)
    return {
      view: scanFindingsView({history: Boolean(this.flags['git-history']), revoke: Boolean(this.flags.revoke)}),
      data: rows,
      exitCode: rows.length > 0 ? TOKENS_MATCHED_EXIT_CODE : undefined,
    }
  }

  /** Each distinct value once, in order; a 429 is waited out (Retry-After) and said so, as the endpoint limits revocations per address. */
  private async revokeAll(findings: Finding[], rows: ScanFinding[]): Promise<void> {
    for (const finding of findings) this.api.addSecret(finding.token)
    const submitted = new Set<string>()
    for (const [i, finding] of findings.entries()) {
      if (!submitted.has(finding.token)) {
        await this.revokeOne(finding.token)
        submitted.add(finding.token)
      }
      rows[i]!.revoke = 'submitted'
      this.info(`✓ ${rows[i]!.path}:${rows[i]!.line}:${rows[i]!.column} ${rows[i]!.token_prefix}: revoke submitted`)
    }
  }

  private async revokeOne(token: string): Promise<void> {
    for (;;) {
      try {
        await this.api.post('/api/v1/credentials/revoke', {json: {token}, authenticated: false})
        return
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 429) throw error
        const seconds = error.retryAfterSeconds ?? 60
        this.info(`The control plane limits revocations per address: waiting ${seconds} s before the next one…`)
        // Ctrl-C rejects the wait with an AbortError, which ends the command as interrupted (130).
        await delay(seconds * 1000, undefined, {signal: this.abort.signal})
      }
    }
  }

  private async writeSarif(file: string, rows: ScanFinding[]): Promise<void> {
    try {
      await writeFile(file, JSON.stringify(sarifLog(rows, this.config.version), null, 2) + '\n')
    } catch (error) {
      throw new NdError(`Cannot write the SARIF file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} — check the path given to --sarif.`, {code: 'sarif_not_written'})
    }
  }
}

function toRow(finding: Finding): ScanFinding {
  return {
    path: finding.path,
    line: finding.line,
    column: finding.column,
    token_prefix: patDisplayPrefix(finding.token),
    commit: finding.commit,
    source: finding.source,
  }
}

/** A missing path is a usage error (exit 2) before anything is scanned; an unreadable one is left to the scan, which reports it and goes on. */
function statOrRefuse(path: string) {
  try {
    return statSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new UsageError(`No such file or directory: ${path} — check the path (default: the current directory; - reads standard input).`)
    }
    throw error
  }
}

function refuseFile(path: string, flag: string): never {
  throw new UsageError(`${flag} scans a repository: give a directory inside a git work tree, not the file ${path}.`)
}

/**
 * NDCLI_SCAN_THREADS: threads for the file search (1: the main thread alone); default one per core.
 * `lenient` (before the flags are parsed) takes a bad value as 1, for run() to refuse it as the user asked (-f).
 */
function threadsFromEnv({lenient = false} = {}): number | undefined {
  const value = process.env.NDCLI_SCAN_THREADS
  if (value === undefined || value === '') return undefined
  const threads = Number(value)
  if (!Number.isInteger(threads) || threads < 1) {
    if (lenient) return 1
    throw new UsageError(`NDCLI_SCAN_THREADS must be a whole number of threads, 1 or more, not "${value}" — unset it to use one per core.`)
  }
  return threads
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`
}
