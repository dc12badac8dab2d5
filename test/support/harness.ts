/**
 * The end-to-end harness (@ndcli/server/testing) bound to this shell's binary: the real
 * control plane on a loopback port, an account logged in through the real device flow.
 */
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {loggedInCli as loggedInCliOf, type ServerProcess} from '@ndcli/server/testing'

export {localDatePlusDays, tokenFrom, withRequests, type Cli} from '@ndcli/server/testing'

export const SHELL_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const BIN = join(SHELL_ROOT, 'bin', 'run.js')

/** Seeds an account on `server` and a stored session for it; `ndcli()` runs this shell. */
export function loggedInCli(server: ServerProcess, email: string, orgs: Parameters<typeof loggedInCliOf>[3] = []) {
  return loggedInCliOf(BIN, server, email, orgs)
}
