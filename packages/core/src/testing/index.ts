/**
 * Test helpers for ndcli and its plugins: run a command in-process or the real
 * binary as a subprocess with isolated config/data directories, and answer prompts.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'

import type {Command} from '@oclif/core'

// The package's entry point, as commands under test import it (one runtime, one NdCommand.prompter).
import {NdCommand, oclif} from '@ndcli/core'
import type {IO} from '../io.js'
import type {Prompter} from '../prompts.js'

export {inTimeZone} from './time-zone.js'

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

/** A CLI binary running as a subprocess: its output so far, and its end. */
export interface BinaryProcess {
  child: ChildProcessWithoutNullStreams
  stdout(): string
  stderr(): string
  /** Resolves once the process has exited and its output is complete. */
  exited: Promise<CommandOutput>
}

/**
 * Starts a CLI binary (e.g. the shell's `bin/run.js`) as a subprocess and keeps it running — for
 * tests that watch its output or signal it. NDCLI_TOKEN from the parent is not inherited unless
 * given; stdin stays open until the caller ends it (child.stdin).
 */
export function startBinary(bin: string, args: string[], options: Omit<RunBinaryOptions, 'input'> = {}): BinaryProcess {
  const env: Record<string, string | undefined> = {...process.env, NDCLI_TOKEN: undefined, NO_COLOR: '1', ...options.env}
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  const child = spawn(process.execPath, [bin, ...args], {env: env as NodeJS.ProcessEnv, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 60_000)
  const exited = new Promise<CommandOutput>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({stdout, stderr, exitCode: code ?? (signal === 'SIGKILL' ? 137 : 128)})
    })
  })
  return {child, stdout: () => stdout, stderr: () => stderr, exited}
}

/**
 * Runs a CLI binary (e.g. the shell's `bin/run.js`) as a subprocess — the real
 * thing, exit code included. NDCLI_TOKEN from the parent is not inherited unless given.
 */
export function runBinary(bin: string, args: string[], options: RunBinaryOptions = {}): Promise<CommandOutput> {
  const running = startBinary(bin, args, options)
  running.child.stdin.end(options.input ?? '')
  return running.exited
}

/**
 * Runs one command class in-process, capturing stdout, stderr and the exit
 * code — the quickest test of a plugin's command. `root` is the plugin's
 * package folder (any file inside it works, e.g. `import.meta.url`).
 */
export async function runCommand<R = unknown>(command: typeof Command, argv: string[], options: {root: string; env?: Record<string, string>; input?: string}): Promise<CommandOutput<R>> {
  let stdout = ''
  let stderr = ''
  const env = {...process.env, ...options.env}
  // Written to strings and read from `input` (never terminals: no colour, no prompt but stubPrompter's).
  const io: IO = {
    stdout: {write: (text: string) => (stdout += text)},
    stderr: {write: (text: string) => (stderr += text)},
    stdin: Readable.from([options.input ?? '']),
    env,
  }
  // oclif's Config reads NDCLI_CONFIG_DIR / NDCLI_DATA_DIR from process.env itself (it takes no environment).
  const saved = process.env
  process.env = env
  try {
    const config = await oclif.Config.load(options.root)
    // What oclif's static run() does, with the IO given to the instance.
    const Concrete = command as unknown as new (argv: string[], config: oclif.Config) => NdCommand<typeof Command>
    const instance = new Concrete(argv, config)
    instance.id ??= command.id
    if (instance instanceof NdCommand) instance.io = io
    const result = (await instance._run()) as R
    return {stdout, stderr, exitCode: 0, result}
  } catch (error) {
    const exit = (error as {oclif?: {exit?: number}}).oclif?.exit
    if (typeof exit === 'number') return {stdout, stderr, exitCode: exit}
    throw error
  } finally {
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
