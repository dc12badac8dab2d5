/**
 * The end-to-end harness (@ndcli/server/testing) bound to the ndcli host this plugin ships
 * in: the workspace root's binary, which loads this package as a core plugin.
 */
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {loggedInCli as loggedInCliOf, type ServerProcess} from '@ndcli/server/testing'

export {localDatePlusDays, tokenFrom, withRequests, type Cli} from '@ndcli/server/testing'

/** The host CLI's package folder (a location, not an import: the plugin's code never reaches into it). */
export const SHELL_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const HOST_BIN = join(SHELL_ROOT, 'bin', 'run.js')

/** Seeds an account on `server` and a stored session for it; `ndcli()` runs the host CLI. */
export function loggedInCli(server: ServerProcess, email: string, orgs: Parameters<typeof loggedInCliOf>[3] = []) {
  return loggedInCliOf(HOST_BIN, server, email, orgs)
}
