/**
 * The scan workers of this process (scan/worker.ts): started before the walk
 * (prestartWorkers) or by the search that needs them. Idle workers are unref'd: they never keep
 * the process alive. Each search ends the workers it used and any left idle.
 */
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'

/** What a worker starts with (its workerData): the signal raised once its search has been posted. */
export interface WorkerStart {
  posted: SharedArrayBuffer
}

const idleWorkers: Worker[] = []
const postedSignals = new WeakMap<Worker, Int32Array>()

/** Spare threads for a scan: one per further core, or NDCLI_SCAN_THREADS - 1. */
export function spareThreads(threads = availableParallelism()): number {
  return Math.max(0, threads - 1)
}

export function startWorker(url: URL): Worker {
  const posted = new Int32Array(new SharedArrayBuffer(4))
  const workerData: WorkerStart = {posted: posted.buffer as SharedArrayBuffer}
  const worker = new Worker(url, {stdout: false, stderr: false, workerData})
  postedSignals.set(worker, posted)
  worker.unref()
  // One that fails while idle is dropped (a search's own listener reports a failure during it).
  worker.on('error', () => {
    const at = idleWorkers.indexOf(worker)
    if (at !== -1) idleWorkers.splice(at, 1)
  })
  return worker
}

/** `count` workers for a search: idle ones first, then new ones. */
export function takeWorkers(url: URL, count: number): Worker[] {
  const workers = idleWorkers.splice(0, count)
  while (workers.length < count) workers.push(startWorker(url))
  for (const worker of workers) worker.ref()
  return workers
}

/** Ends a worker once its search is done (and, at the end of a search, the idle ones): an idle worker left to the process's exit costs ~10 ms there. */
export function release(workers: Worker[] = idleWorkers.splice(0)): void {
  for (const worker of workers) void worker.terminate()
}

/**
 * Starts the spare workers of a file search before its walk (the command calls it first), so
 * their ~20–30 ms of start-up overlap the walk's instead of the search; a search that turns out
 * too small for them ends them unused.
 */
export function prestartWorkers(url: URL, threads?: number): void {
  for (let i = idleWorkers.length; i < spareThreads(threads); i++) idleWorkers.push(startWorker(url))
}

/** Posts a worker its search and raises its signal. */
export function postSearch(worker: Worker, search: unknown): void {
  worker.postMessage(search)
  const posted = postedSignals.get(worker)!
  Atomics.store(posted, 0, 1)
  Atomics.notify(posted, 0)
}

/**
 * In a worker, from its first line: blocks until its search has been posted (postSearch), which
 * receiveMessageOnPort then takes at once, without waiting for the event loop's first turn (~5–7 ms
 * after the script ran, here). terminate() ends the wait.
 */
export function waitForSearch({posted}: WorkerStart): void {
  Atomics.wait(new Int32Array(posted), 0, 0)
}
