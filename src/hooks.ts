/**
 * The hooks that run on commands (package.json: oclif.hooks, by identifier), bundled by
 * scripts/bundle.js into dist/hooks.js: only what they use of @ndcli/core is in it, and
 * they share the shell's @oclif/core (a hook's this.exit() must throw the ExitError the
 * shell's handler knows). init is in src/runtime.ts, as it runs on every invocation;
 * plugins:preinstall's checks are imported on demand (a chunk of their own).
 */
export {default as commandNotFoundHook} from './hooks/command-not-found.js'
export {default as prerunHook} from './hooks/prerun.js'
export {default as pluginsPreinstallHook} from './hooks/plugins-preinstall.js'
