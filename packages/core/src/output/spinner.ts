/**
 * A one-line spinner on a terminal's stderr (progress is a message, never data), redrawn in
 * place with `\r` and erase-line; its text is asked for at every frame, so it can count down.
 * Other lines (a warning) are printed through print(), above it. Only for a TTY: callers print
 * a plain line instead elsewhere, so that logs and pipes get no control sequences.
 */
import type {OutputStream} from '../io.js'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const FRAME_MS = 100
const CLEAR_LINE = '\r\u001B[2K'

export class Spinner {
  private timer?: NodeJS.Timeout
  private frame = 0

  constructor(
    private readonly stream: OutputStream,
    private readonly text: () => string,
  ) {}

  /** A spinner makes sense on an interactive terminal only (not TERM=dumb, whose terminal cannot erase a line). */
  static supported(stream: OutputStream, env: NodeJS.ProcessEnv): boolean {
    return Boolean(stream.isTTY) && env.TERM !== 'dumb'
  }

  start(): void {
    if (this.timer) return
    this.draw()
    this.timer = setInterval(() => this.draw(), FRAME_MS)
    // The spinner alone must not keep the process alive (e.g. after an error).
    this.timer.unref()
  }

  /** Writes `line` above the spinner, which goes on below it. */
  print(write: () => void): void {
    if (!this.timer) return write()
    this.stream.write(CLEAR_LINE)
    write()
    this.draw()
  }

  /** Erases the spinner's line; whatever follows starts on a clean line. Safe to call twice. */
  stop(): void {
    if (!this.timer) return
    clearInterval(this.timer)
    this.timer = undefined
    this.stream.write(CLEAR_LINE)
  }

  private draw(): void {
    const line = `${FRAMES[this.frame++ % FRAMES.length]} ${this.text()}`
    // A line that wraps could not be erased with `\r`: it is cut to the terminal's width.
    const width = this.stream.columns
    this.stream.write(CLEAR_LINE + (width && line.length >= width ? `${line.slice(0, width - 2)}…` : line))
  }
}

/** `4:59`, `0:07`: minutes and seconds left, never negative. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}
