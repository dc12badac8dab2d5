/**
 * A scan worker (scan/parallel.ts): for each search posted to it, claims files through the
 * shared counter until none is left, then posts what it found; between searches it waits
 * (scan/pool.ts). Bundled on its own with only the token format of @ndcli/core
 * (scripts/bundle.js), so it starts in a few milliseconds.
 */
import {parentPort} from 'node:worker_threads'

import {FileSearcher} from './file.js'
import {add, type WorkerInput, type WorkerOutput} from './parallel.js'

parentPort!.on('message', ({items, next: shared}: WorkerInput) => {
  const next = new Int32Array(shared)
  const searcher = new FileSearcher()
  const output: WorkerOutput = {files: 0, bytes: 0, lookalikes: 0, notable: []}
  for (let index = Atomics.add(next, 0, 1); index < items.length; index = Atomics.add(next, 0, 1)) add(output, index, searcher.search(items[index]!))
  parentPort!.postMessage(output)
})
