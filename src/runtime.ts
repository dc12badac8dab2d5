/**
 * The shell's entry point, bundled with esbuild by `npm run build` (scripts/bundle.js)
 * into dist/runtime.js: @oclif/core and the init hook, which every run needs. The commands
 * (src/commands.ts → dist/commands.js) and the other hooks (src/hooks.ts → dist/hooks.js)
 * are entry points of the same bundle, sharing its chunks, loaded by oclif only when a run
 * needs them. One file to read and compile instead of the ~160 modules of @oclif/core and
 * its dependencies; see docs/benchmarks.md. bin/dev.js runs the sources, unbundled.
 *
 * Not bundled here: the core plugins
 * (@oclif/plugin-help, @oclif/plugin-plugins, @ndcli/plugin-auth-token: packages of their
 * own, loaded from their manifests), and user plugins, which import their own
 * @oclif/core and @ndcli/core.
 */
export {execute} from '@oclif/core'
export {default as initHook} from './hooks/init.js'
