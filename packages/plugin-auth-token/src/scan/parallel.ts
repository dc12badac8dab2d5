/**
 * Searching a list of files on every core: the main thread searches them in order, claiming
 * each through a shared counter; once what it has seen says the rest is large enough to pay
 * for a worker's start-up (PARALLEL_MIN_BYTES, estimated from the average file so far), it
 * sets one worker per further core on it (scan/worker.ts, scan/pool.ts), which claims files
 * through the same counter. Each result is kept under its file's index, so the findings come out in the same
 * order whatever the parallelism. Small scans never start a worker.
 */
import type {Worker} from 'node:worker_threads'

import {FileSearcher, type FileItem, type FileResult} from './file.js'
import {postSearch, release, spareThreads, takeWorkers} from './pool.js'

/** ~20 ms of a worker's start-up on these hosts is ~30 MiB of searching on one core. */
const PARALLEL_MIN_BYTES = 32 * 2 ** 20
/** Files searched before the average size is trusted. */
const PROBE_FILES = 8

export interface SearchTotals {
  files: number
  bytes: number
  lookalikes: number
  /** [file index, result] for the files with a hit or an error, in index order. */
  notable: Array<[number, FileResult]>
  workers: number
}

export interface WorkerInput {
  items: FileItem[]
  next: SharedArrayBuffer
}

export interface WorkerOutput {
  files: number
  bytes: number
  lookalikes: number
  notable: Array<[number, FileResult]>
}

export interface ParallelOptions {
  /** scan/worker.js; without it everything stays on the main thread. */
  workerUrl?: URL
  /** Threads to use, the main one included (default: one per core). */
  threads?: number
}

export async function searchFiles(items: FileItem[], options: ParallelOptions): Promise<SearchTotals> {
  const searcher = new FileSearcher()
  const next = new Int32Array(new SharedArrayBuffer(4))
  const totals: SearchTotals = {files: 0, bytes: 0, lookalikes: 0, notable: [], workers: 0}
  const spare = spareThreads(options.threads)
  const canSpread = options.workerUrl !== undefined && spare > 0 && items.length > 1
  let running: Array<Promise<WorkerOutput>> = []
  const spread = () => {
    const input: WorkerInput = {items, next: next.buffer as SharedArrayBuffer}
    running = takeWorkers(options.workerUrl!, spare).map((worker) => search(worker, input))
    totals.workers = running.length
  }
  let searched = 0
  for (let index = Atomics.add(next, 0, 1); index < items.length; index = Atomics.add(next, 0, 1)) {
    add(totals, index, searcher.search(items[index]!))
    searched++
    if (canSpread && running.length === 0 && searched >= PROBE_FILES && (totals.bytes / searched) * (items.length - index - 1) >= PARALLEL_MIN_BYTES) spread()
  }
  release()
  for (const output of await Promise.all(running)) {
    totals.files += output.files
    totals.bytes += output.bytes
    totals.lookalikes += output.lookalikes
    totals.notable.push(...output.notable)
  }
  totals.notable.sort((a, b) => a[0] - b[0])
  return totals
}

/** Adds one file's result to the totals (main thread and workers alike). */
export function add(totals: WorkerOutput, index: number, result: FileResult): void {
  if (result.scanned) totals.files++
  totals.bytes += result.bytes
  totals.lookalikes += result.lookalikes
  if (result.hits.length > 0 || result.unreadable !== undefined) totals.notable.push([index, result])
}

function search(worker: Worker, input: WorkerInput): Promise<WorkerOutput> {
  return new Promise((resolve, reject) => {
    const exit = (code: number) => reject(new Error(`a scan worker stopped (exit ${code}) before it reported`))
    worker.once('error', reject)
    worker.once('exit', exit)
    worker.once('message', (output: WorkerOutput) => {
      worker.off('error', reject)
      worker.off('exit', exit)
      release([worker])
      resolve(output)
    })
    postSearch(worker, input)
  })
}
