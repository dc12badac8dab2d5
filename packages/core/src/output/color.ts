/**
 * Whether text written to a stream may carry colour: supports-color decides (a TTY, FORCE_COLOR,
 * TERM=dumb, CI), and NO_COLOR always wins (cli.md: never with NO_COLOR). It is the copy
 * @oclif/core already loads, so the decision adds no code to a run. supports-color reads
 * process.env itself (it takes no environment), so only NO_COLOR comes from the injected one;
 * command-line flags (--color) are not sniffed: they belong to oclif.
 */
import supportsColor from 'supports-color'

export function colorAllowed(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false
  return Boolean(supportsColor.supportsColor(stream, {sniffFlags: false}))
}
