/**
 * The end-to-end harness of @ndcli/server/testing bound to this shell's binary: the real
 * control plane on a loopback port, an account logged in through the real device flow.
 */
import {fileURLToPath} from 'node:url'

import {cliHarness, tokenFrom, type Cli, type ServerProcess} from '@ndcli/server/testing'

export {localDatePlusDays, tokenFrom, withRequests, type Cli} from '@ndcli/server/testing'

/** Seeds an account on a server and a stored session for it; its `ndcli()` runs this shell. */
export const {loggedInCli} = cliHarness(fileURLToPath(new URL('../../bin/run.js', import.meta.url)))

/** An account logged in on `server` and a PAT of it (`ndcli auth token create` through the real CLI). */
export async function loggedInWithPat(server: ServerProcess, email: string, token: {name: string; scope: 'ro' | 'rw'}): Promise<{cli: Cli; pat: string}> {
  const cli = await loggedInCli(server, email)
  const created = await cli.ndcli(['auth', 'token', 'create', '--name', token.name, '--scope', token.scope])
  if (created.exitCode !== 0) throw new Error(`auth token create exited ${created.exitCode}: ${created.stderr}`)
  return {cli, pat: tokenFrom(created)}
}
