/**
 * Byte offsets → 1-based line and column (UTF-16 code units, as SARIF's default columnKind
 * and editors count) for input that arrives in pieces: counts newlines only in what it is
 * fed, keeps the bytes of the current line so a column can be measured across pieces.
 */
export interface Position {
  line: number
  column: number
}

const NEWLINE = 0x0a

export class Locator {
  private line = 1
  private lineStart = 0
  private fed = 0
  /** Bytes of the current line fed before the current piece (copies: callers reuse buffers). */
  private head: Buffer[] = []

  /** Feeds the next bytes of the input; returns the positions of `offsets` (ascending, absolute, within this piece). */
  feed(piece: Buffer, offsets: number[] = []): Position[] {
    const at = this.fed
    const positions: Position[] = []
    let from = 0
    for (const offset of offsets) {
      const relative = offset - at
      from = this.countLines(piece, at, from, relative)
      const lineBytes = this.lineStart >= at ? piece.subarray(this.lineStart - at, relative) : Buffer.concat([...this.head, piece.subarray(0, relative)])
      positions.push({line: this.line, column: lineBytes.toString('utf8').length + 1})
    }
    this.countLines(piece, at, from, piece.length)
    if (this.lineStart >= at) this.head = [Buffer.from(piece.subarray(this.lineStart - at))]
    else this.head.push(Buffer.from(piece))
    this.fed = at + piece.length
    return positions
  }

  /** Counts the newlines in piece[from, to); returns `to`. */
  private countLines(piece: Buffer, at: number, from: number, to: number): number {
    for (let newline = piece.indexOf(NEWLINE, from); newline !== -1 && newline < to; newline = piece.indexOf(NEWLINE, newline + 1)) {
      this.line++
      this.lineStart = at + newline + 1
    }
    return to
  }
}
