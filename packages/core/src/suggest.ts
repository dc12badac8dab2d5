/**
 * "Did you mean …?" for what was typed: the nearest of the candidates by edit distance, when it is
 * near enough to be a typo. Used for unknown commands (the shell's not-found hook) and unknown
 * flags (NdCommand.catch).
 */

/** The candidate nearest to `typed`, within a third of its length (at least 2): `lst` → `list`, `nmae` → `name`, but not `xyzzy` → `org list`. */
export function nearest(typed: string, candidates: Iterable<string>): string | undefined {
  let best: {candidate: string; distance: number} | undefined
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate)
    if (!best || distance < best.distance) best = {candidate, distance}
  }
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.candidate : undefined
}

/** Levenshtein distance (insertions, deletions, substitutions), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
