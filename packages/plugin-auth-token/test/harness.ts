/**
 * The end-to-end harness (@ndcli/server/testing) bound to the ndcli host this plugin ships
 * in: the workspace root's binary, which loads this package as a core plugin. The host is a
 * location here, not an import: the plugin's code never reaches into it.
 */
import {resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {expect} from 'chai'
import type {CommandOutput} from '@ndcli/core/testing'
import {cliHarness} from '@ndcli/server/testing'

export {localDatePlusDays, tokenFrom, withRequests, type Cli} from '@ndcli/server/testing'

/** The host CLI's package folder, and its binary. */
export const SHELL_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
export const HOST_BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
export const {loggedInCli} = cliHarness(HOST_BIN)

/** A refusal: the exit code, exactly that error (or one matching it), nothing on stdout, and only the expected requests (none by default). */
export function expectRefused(result: CommandOutput, seen: string[], expected: {exitCode: number; stderr: string | RegExp; requests?: string[]}): void {
  expect(result.exitCode, result.stderr).to.equal(expected.exitCode)
  if (typeof expected.stderr === 'string') expect(result.stderr).to.equal(expected.stderr)
  else expect(result.stderr).to.match(expected.stderr)
  expect(result.stdout).to.equal('')
  expect(seen).to.deep.equal(expected.requests ?? [])
}
