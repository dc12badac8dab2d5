/**
 * Drives the real `ndcli` binary against the real control plane for the auth
 * tests: a login subprocess whose stderr is watched for the one-time code, and
 * conditions awaited with a deadline instead of fixed sleeps.
 */
import {expect} from 'chai'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Session} from '@ndcli/core'
import {startBinary} from '@ndcli/core/testing'
import {submitActivation, type ServerProcess} from '@ndcli/server/testing'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
export const ACCOUNT = {email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace'}

/** Waits until `condition` returns a value (not undefined), checking every 50 ms; fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(what: string, condition: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = condition()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export interface LoginProcess {
  /** The one-time code (ABCD-EFGH) once the CLI has printed it. */
  userCode(): Promise<string>
  stderr(): string
  /** True until the process has exited. */
  running(): boolean
  exited: Promise<{exitCode: number; stdout: string; stderr: string}>
  interrupt(): void
}

/** Starts `ndcli auth login <args>` and keeps it running: the caller approves, denies or interrupts it. */
export function startLogin(env: Record<string, string>, args: string[] = ['--no-browser']): LoginProcess {
  const login = startBinary(BIN, ['auth', 'login', ...args], {env})
  // No answer ever comes on stdin: the code is approved in the browser (or the form).
  login.child.stdin.end()
  const {child} = login
  const stderr = login.stderr
  return {
    userCode: () => waitFor(`the one-time code on stderr (so far: ${JSON.stringify(stderr())})`, () => /code: ([A-Z]{4}-[A-Z]{4})/.exec(stderr())?.[1]),
    stderr,
    running: () => child.exitCode === null && child.signalCode === null,
    exited: login.exited,
    interrupt: () => child.kill('SIGINT'),
  }
}

/** Logs in through the CLI, approving the code the way the sign-in form does; the login's output. */
export async function login(server: ServerProcess, env: Record<string, string>): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const cli = startLogin(env)
  const approval = await submitActivation(server.url, {userCode: await cli.userCode(), email: ACCOUNT.email, password: ACCOUNT.password, action: 'approve'})
  if (approval.status !== 200) throw new Error(`approving the code failed: ${approval.status}`)
  const result = await cli.exited
  if (result.exitCode !== 0) throw new Error(`ndcli auth login failed (${result.exitCode}): ${result.stderr}`)
  return result
}

/**
 * cli.md's error shape: the exit code, and stderr that is exactly one `Error: …` line
 * plus at most one `Hint: …` line — no stack trace, no oclif ` ›   ` block.
 */
export function expectOneLineError(result: {exitCode: number; stdout: string; stderr: string}, exitCode: number, context = ''): void {
  const where = `${context}\nexit ${result.exitCode}\nstderr: ${JSON.stringify(result.stderr)}`
  expect(result.exitCode, where).to.equal(exitCode)
  expect(result.stderr, where).not.to.match(/^\s+at /m)
  const lines = result.stderr.replace(/\n$/, '').split('\n')
  expect(lines[0], where).to.match(/^Error: \S/)
  expect(lines.length, where).to.be.at.most(2)
  if (lines.length === 2) expect(lines[1], where).to.match(/^Hint: \S/)
}

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping the order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index]!, index)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return results
}

export function sessionsPath(env: Record<string, string>): string {
  return join(env.NDCLI_DATA_DIR!, 'credentials', 'sessions.json')
}

/** The session stored for `apiUrl`, read straight from the file the CLI writes. */
export async function storedSession(env: Record<string, string>, apiUrl: string): Promise<Session | undefined> {
  try {
    const file = JSON.parse(await readFile(sessionsPath(env), 'utf8')) as {sessions: Record<string, Session>}
    return file.sessions[apiUrl]
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
