#!/usr/bin/env node
// @ndcli/core's entry point loads its bundled runtime (@oclif/core included) once per process,
// compiled from V8's code cache when it can (packages/core/src/shared-runtime.ts); the shell's
// commands and hooks are in dist/commands.js and dist/hooks.js (scripts/bundle.js).
import {oclif} from '@ndcli/core'

await oclif.execute({dir: import.meta.url})
