#!/usr/bin/env node
// Node's compile cache first, in ndcli's cache dir: then @ndcli/core's bundled runtime
// (@oclif/core included, loaded once per process: packages/core/src/shared-runtime.ts) and the
// shell's commands and hooks (dist/commands.js, dist/hooks.js) load compiled from it.
import {enableCompileCache} from '@ndcli/core/compile-cache'

enableCompileCache('ndcli')
// `ndcli … | head`: once the reader has gone, stop quietly with 0. Otherwise oclif's final flush
// waits for a 'drain' that never comes, and Node exits 13 with an "unsettled top-level await"
// warning, which fails a CI step that runs under `set -o pipefail`.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
})
const {oclif} = await import('@ndcli/core')
await oclif.execute({dir: import.meta.url})
