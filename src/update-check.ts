/**
 * node dist/update-check.js <name> <cache file> <current version> <feed>: started detached by
 * the update notice (src/update-notice.ts) when its cache is stale. Asks the feed for the
 * package's dist-tags and writes them to the cache file, as plugin-warn-if-update-available's
 * get-version does. Touches the file first, so that runs meanwhile do not start another check.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

const [name, file, current, feed] = process.argv.slice(2) as [string, string, string, string]
mkdirSync(dirname(file), {recursive: true})
writeFileSync(file, JSON.stringify({current}))
try {
  const response = await fetch(`${feed.replace(/\/+$/, '')}/${name.replace('/', '%2f')}`, {signal: AbortSignal.timeout(5000), headers: {accept: 'application/json'}})
  if (response.ok) {
    const document = (await response.json()) as {'dist-tags'?: Record<string, string>}
    writeFileSync(file, JSON.stringify({...document['dist-tags'], current}))
  }
} catch {
  // Offline, or a feed that is not there: the notice stays silent until the next check.
}
