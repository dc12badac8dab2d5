#!/usr/bin/env -S node --import tsx --no-warnings
// Runs the TypeScript sources directly (no build of the shell; @ndcli/core must be built);
// for development only. oclif comes from @ndcli/core, as in bin/run.js: one copy per run.
import {oclif} from '@ndcli/core'

await oclif.execute({development: true, dir: import.meta.url})
