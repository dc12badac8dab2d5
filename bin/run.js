#!/usr/bin/env node
// dist/runtime.js is @oclif/core, @ndcli/core and the shell's commands and hooks bundled
// into one file by `npm run build` (scripts/bundle.js): start-up reads and compiles one file.
import {execute} from '../dist/runtime.js'

await execute({dir: import.meta.url})
