#!/usr/bin/env node
// Node's compile cache first, in ndcli's cache dir: then @ndcli/core's bundled runtime
// (@oclif/core included, loaded once per process: packages/core/src/shared-runtime.ts) and the
// shell's commands and hooks (dist/commands.js, dist/hooks.js) load compiled from it.
import {enableCompileCache} from '@ndcli/core/compile-cache'

enableCompileCache('ndcli')
const {oclif} = await import('@ndcli/core')
await oclif.execute({dir: import.meta.url})
