/**
 * The end-to-end harness of @ndcli/server/testing bound to this shell's binary: the real
 * control plane on a loopback port, an account logged in through the real device flow.
 */
import {fileURLToPath} from 'node:url'

import {cliHarness} from '@ndcli/server/testing'

export {localDatePlusDays, tokenFrom, withRequests, type Cli} from '@ndcli/server/testing'

/** Seeds an account on a server and a stored session for it; its `ndcli()` runs this shell. */
export const {loggedInCli} = cliHarness(fileURLToPath(new URL('../../bin/run.js', import.meta.url)))
