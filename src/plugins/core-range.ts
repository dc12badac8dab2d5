/**
 * Does a plugin's @ndcli/core version or range admit the shell's major? npm's own range
 * grammar, through semver (only `plugins install`/`link` load this module: compiling semver's
 * regular expressions costs ~30 M instructions). Anything that is not a range (file:, git,
 * workspace:, dist-tags) is `undefined`: unknown.
 */
import parse from 'semver/functions/parse.js'
import intersects from 'semver/ranges/intersects.js'
import validRange from 'semver/ranges/valid.js'

export function admitsMajor(range: string, major: number): boolean | undefined {
  // A bundled copy's exact version, pre-releases included: 2.0.0-beta.1 is built for major 2
  // (a range test would leave a pre-release out of every range not naming it).
  const version = parse(range)
  if (version) return version.major === major
  if (validRange(range) === null) return undefined
  return intersects(range, `>=${major}.0.0 <${major + 1}.0.0-0`)
}
