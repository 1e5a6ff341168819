import { Worker } from 'node:worker_threads'

/** One chunk file to write: its bytes go to `tmp`, then are renamed to `path`. */
export interface BatchFile {
  tmp: string
  path: string
  bytes: Uint8Array
}

export interface BatchRequest {
  id: number
  files: BatchFile[]
}

export type BatchReply = { id: number, existed: boolean[], error?: undefined } | { id: number, error: { message: string, code?: string } }

/** An idle writer thread stops after this long (its isolate holds ~16 MB); the next batch starts another (~30 ms). */
const IDLE_STOP_MS = 20_000

/**
 * Writes batches of small chunk files on a thread of its own, with blocking
 * calls one after the other. A small chunk written with Node's asynchronous
 * fs took seven trips through libuv's thread pool (open, write, fdatasync,
 * close, stat, rename, the folder's fsync), each with its own callback,
 * promise and wake-up; profiles of a node taking batches of 4 KiB chunks
 * showed those calls at ~40 % of its main thread, and on a busy machine
 * each trip waited for a core. Here a batch costs its main thread one
 * message each way, and the worker's calls are plain system calls. The
 * order that makes a chunk durable is the same as for other writes: its
 * bytes fsynced before the rename, its folder fsynced before the answer.
 */
export class BatchWriter {
  private worker?: Worker
  private idleTimer?: ReturnType<typeof setTimeout>
  private nextId = 0
  private readonly pending = new Map<number, { resolve: (existed: boolean[]) => void, reject: (err: Error) => void }>()

  /** Write every file (each made durable in place), or none: on an error, the temporary files are gone. Resolves with whether each path existed before. */
  async write (files: BatchFile[]): Promise<boolean[]> {
    clearTimeout(this.idleTimer)
    const worker = this.start()
    const id = this.nextId++
    return await new Promise<boolean[]>((resolve, reject) => {
      // a batch in flight keeps the process alive; an idle writer does not
      if (this.pending.size === 0) worker.ref()
      this.pending.set(id, { resolve, reject })
      // the bytes are copied to the worker: batches are small (MAX_BATCH_BYTES)
      worker.postMessage({ id, files } satisfies BatchRequest)
    })
  }

  private start (): Worker {
    if (this.worker != null) return this.worker
    const worker = new Worker(new URL('./batch-writer-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } })
    worker.on('message', (reply: BatchReply) => {
      const waiting = this.pending.get(reply.id)
      if (waiting == null) return
      this.pending.delete(reply.id)
      if (this.pending.size === 0) {
        worker.unref()
        this.idleTimer = setTimeout(() => { if (this.pending.size === 0) void this.close() }, IDLE_STOP_MS).unref()
      }
      if (reply.error != null) waiting.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }))
      else waiting.resolve(reply.existed)
    })
    const failed = (err: Error): void => {
      // a thread stopped on purpose (close) has nothing in flight
      if (this.worker !== worker) return
      // the batches in flight fail (their callers clean up); the next batch starts a new thread
      this.worker = undefined
      this.rejectAll(new Error(`the chunk writer thread stopped: ${err.message}`))
    }
    worker.on('error', failed)
    worker.on('exit', (code) => { failed(new Error(`exit code ${code}`)) })
    this.worker = worker
    return worker
  }

  private rejectAll (err: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(err)
    this.pending.clear()
  }

  async close (): Promise<void> {
    clearTimeout(this.idleTimer)
    const worker = this.worker
    this.worker = undefined
    this.rejectAll(new Error('the chunk writer was closed'))
    await worker?.terminate()
  }
}
