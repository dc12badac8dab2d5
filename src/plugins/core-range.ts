/**
 * Does a plugin's @ndcli/core version or range admit the shell's major? Enough of
 * npm's range grammar for dependency declarations (1.2.3, ^1.2, ~1, 1.x, >=1 <3, a - b,
 * ||); anything else (file:, git, workspace:, tags) is `undefined`: unknown.
 */
type Bounds = [min: number, max: number]

const ANY: Bounds = [0, Number.POSITIVE_INFINITY]

export function admitsMajor(range: string, major: number): boolean | undefined {
  const alternatives = range.split('||').map((alternative) => boundsOf(alternative.trim()))
  if (alternatives.some((bounds) => bounds === undefined)) return undefined
  return (alternatives as Bounds[]).some(([min, max]) => min <= major && major <= max)
}

/** The majors one alternative admits, e.g. `>=1.2.0 <3.0.0` → [1, 2]. */
function boundsOf(alternative: string): Bounds | undefined {
  if (alternative === '' || alternative === '*' || /^[xX]$/.test(alternative)) return ANY
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(alternative)
  if (hyphen) {
    const [from, to] = [majorOf(hyphen[1]!), majorOf(hyphen[2]!)]
    return from === undefined || to === undefined ? undefined : [from, to]
  }
  let [min, max] = ANY
  for (const comparator of alternative.split(/\s+/)) {
    const match = /^(\^|~|>=|<=|>|<|=)?v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$/.exec(comparator)
    if (!match) return undefined
    const [, operator = '', majorText, minor, patch] = match
    const major = Number(majorText)
    const isZero = (part?: string) => part === undefined || /^[0xX*]$/.test(part)
    switch (operator) {
      case '>':
      case '>=':
        min = Math.max(min, major)
        break
      case '<':
        // <2.0.0 admits no 2.x; <2.1.0 admits some.
        max = Math.min(max, isZero(minor) && isZero(patch) ? major - 1 : major)
        break
      case '<=':
        max = Math.min(max, major)
        break
      default: // ^, ~, = and bare versions stay within one major
        min = Math.max(min, major)
        max = Math.min(max, major)
    }
  }
  return [min, max] // empty (min > max) when the comparators contradict each other
}

function majorOf(version: string): number | undefined {
  const match = /^v?(\d+)/.exec(version)
  return match ? Number(match[1]) : undefined
}
