/**
 * The streams and environment a command works with, injected (like gh's IOStreams): the
 * process's own by default, strings in tests (@ndcli/core/testing), so nothing patches `process`.
 */
export interface OutputStream {
  write(text: string): unknown
  /** A terminal: colour and prompts may be used. */
  isTTY?: boolean
  /** The terminal's width, when known. */
  columns?: number
}

export interface InputStream extends AsyncIterable<string | Buffer> {
  isTTY?: boolean
}

export interface IO {
  stdout: OutputStream
  stderr: OutputStream
  stdin: InputStream
  env: NodeJS.ProcessEnv
}

export function processIO(): IO {
  return {stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env}
}

/** All of stdin as text (e.g. a token value piped in). */
export async function readAll(stream: InputStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}
