import {execFileSync} from 'node:child_process'
import {readdirSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)))

/** The bin runs dist/: rebuild it when a source file is newer, so the test never exercises stale code. */
export function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, {withFileTypes: true}).map((entry) => {
      const path = join(entry.parentPath, entry.name)
      return entry.isDirectory() ? newest(path) : statSync(path).mtimeMs
    }))
  const built = (() => {
    try {
      return statSync(join(PACKAGE_DIR, 'dist', 'cli.js')).mtimeMs
    } catch {
      return 0
    }
  })()
  if (built < newest(join(PACKAGE_DIR, 'src'))) execFileSync('npm', ['run', 'build'], {cwd: PACKAGE_DIR, stdio: 'ignore'})
}

