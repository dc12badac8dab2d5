/**
 * Runs the real `ndcli` binary on a pseudo-terminal, so that it prompts as it
 * would for a person, and lets a test type keys into it (e.g. Ctrl-C, `\x03`,
 * which the terminal turns into SIGINT or inquirer reads as a key). Uses
 * util-linux `script` (Debian: bsdutils, an essential package): stdin, stdout
 * and stderr of the command are the terminal; script's own stdin feeds it.
 */
import {spawn} from 'node:child_process'

import {BIN, waitFor} from './cli.js'

export interface PtyProcess {
  /** Everything the terminal showed so far (stdout and stderr together, as on a screen). */
  output(): string
  /** Waits until the screen shows `text`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>
  /** Types into the terminal. */
  write(keys: string): void
  exited: Promise<{exitCode: number; output: string}>
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`

/** `ndcli <args>` on a new terminal, with `env` (NDCLI_TOKEN is not inherited unless given). */
export function runInPty(args: string[], env: Record<string, string | undefined>): PtyProcess {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ')
  const childEnv: NodeJS.ProcessEnv = {...process.env, NDCLI_TOKEN: undefined, NO_COLOR: '1', TERM: 'xterm', ...env}
  // -q quiet, -f flush each write, -e exit with the command's status, -c the command; the typescript file is /dev/null.
  const child = spawn('script', ['-qfec', command, '/dev/null'], {env: childEnv, stdio: ['pipe', 'pipe', 'pipe']})
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const exited = new Promise<{exitCode: number; output: string}>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({exitCode: code ?? 128, output})
    })
  })
  return {
    output: () => output,
    waitForOutput: (text, timeoutMs = 15_000) =>
      waitFor(`${String(text)} on the terminal (so far: ${JSON.stringify(output)})`, () => ((typeof text === 'string' ? output.includes(text) : text.test(output)) ? true : undefined), timeoutMs).then(() => undefined),
    write: (keys) => child.stdin.write(keys),
    exited,
  }
}
