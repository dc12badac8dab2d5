/**
 * Test helpers for ndcli and its plugins: run a command in-process or the real
 * binary as a subprocess with isolated config/data directories, and answer prompts.
 */
import {spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Command} from '@oclif/core'

// The package's entry point, as commands under test import it (one runtime, one NdCommand.prompter).
import {NdCommand, oclif} from '@ndcli/core'
import type {Prompter} from '../prompts.js'

export interface CommandOutput<R = unknown> {
  stdout: string
  stderr: string
  exitCode: number
  /** What run() returned (in-process runs only). */
  result?: R
}

/** Fresh NDCLI_CONFIG_DIR / NDCLI_DATA_DIR for one test; `cleanup()` removes them. */
export async function isolatedDirs(): Promise<{env: Record<string, string>; root: string; cleanup: () => Promise<void>}> {
  const root = await mkdtemp(join(tmpdir(), 'ndcli-test-'))
  return {
    root,
    // Sessions in the file: the suites read it; test/keyring.test.ts covers the keyring (NDCLI_AUTH_STORAGE '' = the default).
    env: {NDCLI_CONFIG_DIR: join(root, 'config'), NDCLI_DATA_DIR: join(root, 'data'), NDCLI_CACHE_DIR: join(root, 'cache'), NDCLI_AUTH_STORAGE: 'file'},
    cleanup: () => rm(root, {recursive: true, force: true}),
  }
}

export interface RunBinaryOptions {
  env?: Record<string, string | undefined>
  /** Written to stdin, which is then closed (stdin is never a TTY here). */
  input?: string
  /** Kill the process after this many ms (default 60 s). */
  timeout?: number
  cwd?: string
}

/**
 * Runs a CLI binary (e.g. the shell's `bin/run.js`) as a subprocess — the real
 * thing, exit code included. NDCLI_TOKEN from the parent is not inherited unless given.
 */
export function runBinary(bin: string, args: string[], options: RunBinaryOptions = {}): Promise<CommandOutput> {
  const env: Record<string, string | undefined> = {...process.env, NDCLI_TOKEN: undefined, NO_COLOR: '1', ...options.env}
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {env: env as NodeJS.ProcessEnv, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({stdout, stderr, exitCode: code ?? (signal === 'SIGKILL' ? 137 : 128)})
    })
    child.stdin.end(options.input ?? '')
  })
}

/**
 * Runs one command class in-process, capturing stdout, stderr and the exit
 * code — the quickest test of a plugin's command. `root` is the plugin's
 * package folder (any file inside it works, e.g. `import.meta.url`).
 */
export async function runCommand<R = unknown>(command: typeof Command, argv: string[], options: {root: string; env?: Record<string, string>}): Promise<CommandOutput<R>> {
  const saved = {...process.env}
  Object.assign(process.env, options.env ?? {})
  const stdoutWrite = process.stdout.write.bind(process.stdout)
  const stderrWrite = process.stderr.write.bind(process.stderr)
  let stdout = ''
  let stderr = ''
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write
  try {
    const config = await oclif.Config.load(options.root)
    // oclif's static run() instantiates the (concrete) command class it is called on.
    const runnable = command as unknown as {run(argv: string[], config: oclif.Config): Promise<unknown>}
    const result = (await runnable.run(argv, config)) as R
    return {stdout, stderr, exitCode: 0, result}
  } catch (error) {
    const exit = (error as {oclif?: {exit?: number}}).oclif?.exit
    if (typeof exit === 'number') return {stdout, stderr, exitCode: exit}
    throw error
  } finally {
    process.stdout.write = stdoutWrite
    process.stderr.write = stderrWrite
    process.env = saved
  }
}

/**
 * Answers prompts of every NdCommand as a person would, from a queue of answers;
 * `restore()` puts the terminal prompter back and fails if answers were left unused.
 */
export function stubPrompter(answers: boolean[], options: {interactive?: boolean} = {}): {asked: string[]; restore: () => void} {
  const original = NdCommand.prompter
  const queue = [...answers]
  const asked: string[] = []
  const stub: Prompter = {
    interactive: () => options.interactive ?? true,
    async confirm(message) {
      asked.push(message)
      if (queue.length === 0) throw new Error(`Unexpected prompt: ${message}`)
      return queue.shift()!
    },
  }
  NdCommand.prompter = stub
  return {
    asked,
    restore() {
      NdCommand.prompter = original
      if (queue.length > 0) throw new Error(`${queue.length} prompt answer(s) were never used`)
    },
  }
}
