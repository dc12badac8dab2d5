// supports-color 8 (the copy @oclif/core uses) ships no types; only what output/color.ts calls.
declare module 'supports-color' {
  const supportsColor: {supportsColor(stream: {isTTY?: boolean}, options?: {sniffFlags?: boolean}): false | {level: number}}
  export default supportsColor
}
