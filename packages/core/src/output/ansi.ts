/**
 * The few SGR sequences the renderers need. A local helper instead of
 * node:util styleText, which by default drops colour when stdout is not a
 * TTY: the caller has already decided (RenderOptions.color), and tests must
 * see the codes.
 */
export type Colour = 'green' | 'yellow' | 'red' | 'dim' | 'bold'

/** [open, close]: each style closes with its own reset so nested text keeps other styles. */
const SGR: Record<Colour, readonly [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  dim: [2, 22],
  bold: [1, 22],
}

export function paint(text: string, colour: Colour): string {
  const [open, close] = SGR[colour]
  return `\u001B[${open}m${text}\u001B[${close}m`
}
