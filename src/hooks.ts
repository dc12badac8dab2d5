/**
 * The hooks that run on commands (package.json: oclif.hooks, by identifier), bundled by
 * scripts/bundle.js into dist/hooks.js. They import @oclif/core through @ndcli/core, the one
 * runtime a run loads (a hook's this.exit() must throw the ExitError the shell's handler
 * knows). plugins:preinstall's checks and postrun's bash completion are imported on demand
 * (entries of their own).
 */
export {default as initHook} from './hooks/init.js'
export {default as commandNotFoundHook} from './hooks/command-not-found.js'
export {default as prerunHook} from './hooks/prerun.js'
export {default as postrunHook} from './hooks/postrun.js'
export {default as pluginsPreinstallHook} from './hooks/plugins-preinstall.js'
