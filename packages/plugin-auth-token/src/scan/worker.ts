/**
 * A scan worker (scan/parallel.ts): one search, posted to it by the thread that started it, which
 * then raises the shared signal it was given (scan/pool.ts). It waits on that signal from its first
 * line and takes the search with receiveMessageOnPort, so it starts on the files as soon as it is
 * up instead of after its event loop's first turn; then it claims files through the shared counter
 * until none is left and posts what it found. Bundled on its own with only the token format of
 * @ndcli/core (scripts/bundle.js), so it starts in a few milliseconds.
 */
import {parentPort, receiveMessageOnPort, workerData} from 'node:worker_threads'

import {FileSearcher} from './file.js'
import {add, type WorkerInput, type WorkerOutput} from './parallel.js'
import {type WorkerStart, waitForSearch} from './pool.js'

waitForSearch(workerData as WorkerStart)
const {items, next: shared} = receiveMessageOnPort(parentPort!)!.message as WorkerInput
const next = new Int32Array(shared)
const searcher = new FileSearcher()
const output: WorkerOutput = {files: 0, bytes: 0, lookalikes: 0, notable: []}
for (let index = Atomics.add(next, 0, 1); index < items.length; index = Atomics.add(next, 0, 1)) add(output, index, searcher.search(items[index]!))
parentPort!.postMessage(output)
