import { TaskType, type Task, type TaskResult } from '../protocol/pb/directory.ts'
import type { StoreClients } from '../protocol/store-client.ts'
import type { ChunkStore } from './disk/chunk-store.ts'
import { errorMessage, type Logger } from '../util/log.ts'
import { Deadline } from '../util/deadline.ts'
import { formatBytes } from '../util/units.ts'

/** how long one repair copy to another node may take */
const COPY_TIMEOUT_MS = 120_000

/** What the node reports back to the directory with its next heartbeat. */
export class Reports {
  results: TaskResult[] = []
  corrupt: string[] = []

  take (): { results: TaskResult[], corrupt: string[] } {
    const taken = { results: this.results, corrupt: this.corrupt }
    this.results = []
    this.corrupt = []
    return taken
  }

  /** Put back what a heartbeat that failed was carrying. */
  restore (taken: { results: TaskResult[], corrupt: string[] }): void {
    this.results.unshift(...taken.results)
    this.corrupt.unshift(...taken.corrupt)
  }
}

/** Repair copies at once per node: background work must not crowd out user traffic. */
const TASK_CONCURRENCY = 2

/**
 * Runs the directory's tasks: COPY a chunk to another node (node to node over
 * /dfs/store/1.0.0; the receiver verifies it), DELETE one, VERIFY one. A copy
 * the receiver finds corrupt makes this node check its own, so a bad copy is
 * quarantined rather than spread.
 */
export class TaskRunner {
  private running = 0
  private readonly queue: Task[] = []

  constructor (private readonly store: ChunkStore, private readonly peers: StoreClients, private readonly reports: Reports, private readonly log: Logger) {}

  add (tasks: Task[]): void {
    this.queue.push(...tasks)
    this.pump()
  }

  private pump (): void {
    while (this.running < TASK_CONCURRENCY && this.queue.length > 0) {
      const task = this.queue.shift()!
      this.running++
      this.run(task)
        .then((result) => { this.reports.results.push(result) })
        .finally(() => {
          this.running--
          this.pump()
        })
    }
  }

  private async run (task: Task): Promise<TaskResult> {
    const result: TaskResult = { type: task.type, chunkId: task.chunkId, target: task.target?.peerId ?? '', ok: false, message: '' }
    try {
      if (task.type === TaskType.DELETE) {
        await this.store.delete(task.chunkId)
        result.ok = true
      } else if (task.type === TaskType.VERIFY) {
        result.ok = true
        if (await this.store.verify(task.chunkId) === false) await this.quarantine(task.chunkId)
      } else {
        result.ok = await this.copy(task)
        if (!result.ok) result.message = 'the target did not store it'
      }
    } catch (err) {
      result.message = errorMessage(err)
    }
    return result
  }

  private async copy (task: Task): Promise<boolean> {
    if (task.target == null) throw new Error('a copy task without a target')
    const chunk = await this.store.get(task.chunkId)
    if (chunk == null) throw new Error('this node does not hold the chunk')
    this.peers.learn(task.target.peerId, task.target.addrs)
    // the directory's grant for the target, which checks it before taking a byte
    // a repair copies chunks back to back: each limit goes with its copy (see Deadline)
    const deadline = new Deadline(COPY_TIMEOUT_MS)
    const outcome = await this.peers.get(task.target.peerId).put({ id: task.chunkId, size: chunk.size }, chunk.bytes, { grant: task.grant, signal: deadline.signal })
      .finally(() => { deadline.clear() })
    if (outcome.stored.includes(task.target.peerId)) return true
    if (outcome.problem?.includes('hash to') === true && await this.store.verify(task.chunkId) === false) await this.quarantine(task.chunkId)
    throw new Error(outcome.problem ?? 'the target did not store it')
  }

  private async quarantine (chunkId: string): Promise<void> {
    await this.store.quarantine(chunkId)
    this.reports.corrupt.push(chunkId)
    this.log.warn(`chunk ${chunkId} is corrupt on disk: quarantined, and reported for repair`)
  }
}

export interface ScrubberInit {
  store: ChunkStore
  reports: Reports
  log: Logger
  /** bytes re-hashed per second at most */
  bytesPerSecond: number
  /** pause between the start of one full pass and the next */
  intervalMs: number
}

/**
 * Re-hashes every stored chunk in the background at a bounded rate. A chunk
 * whose bytes no longer match its ID is quarantined and reported, so the
 * directory copies it again from a good replica.
 */
export class Scrubber {
  private stopped = false
  private readonly abort = new AbortController()
  private loop?: Promise<void>
  chunksChecked = 0

  constructor (private readonly init: ScrubberInit) {}

  start (): void {
    this.loop = this.run().catch((err) => {
      if (!this.stopped) this.init.log.error(`scrubber stopped: ${errorMessage(err)}`)
    })
  }

  private async sleep (ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.abort.signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    })
  }

  private async run (): Promise<void> {
    const { store, bytesPerSecond } = this.init
    while (!this.stopped) {
      const passStart = Date.now()
      let bytes = 0
      for await (const id of store.list()) {
        if (this.stopped) return
        const ok = await store.verify(id, {
          signal: this.abort.signal,
          // hold to the rate: wait until this many bytes are due
          onBytes: async (n) => {
            bytes += n
            const due = passStart + (bytes / bytesPerSecond) * 1000
            if (due > Date.now()) await this.sleep(due - Date.now())
          }
        }).catch((err) => {
          if (!this.stopped) this.init.log.warn(`scrubber could not read chunk ${id}: ${errorMessage(err)}`)
          return undefined
        })
        this.chunksChecked++
        if (ok === false) {
          await store.quarantine(id)
          this.init.reports.corrupt.push(id)
          this.init.log.warn(`scrubber found chunk ${id} corrupt: quarantined, and reported for repair`)
        }
      }
      await this.sleep(Math.max(0, passStart + this.init.intervalMs - Date.now()))
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.abort.abort()
    await this.loop
  }
}

/** Quarantined copies are looked at this often (they are listed in memory: one stat each). */
const QUARANTINE_SWEEP_MS = 10_000

export interface QuarantineCleanerInit {
  store: ChunkStore
  log: Logger
  /** how long a corrupt copy is kept for inspection at most */
  retentionMs: number
}

/**
 * Empties the quarantine: a corrupt copy goes once this node holds the chunk
 * again (repair copied a good one back here, which replaces it), and in any
 * case after the retention. Whether repair put the chunk back on other nodes
 * instead is the directory's to know; the retention covers that case.
 */
export class QuarantineCleaner {
  private stopped = false
  private timer?: NodeJS.Timeout
  private sweeping?: Promise<void>

  constructor (private readonly init: QuarantineCleanerInit) {}

  start (): void {
    if (this.stopped) return
    const interval = Math.max(1_000, Math.min(this.init.retentionMs, QUARANTINE_SWEEP_MS))
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined
        this.start()
      })
    }, interval)
  }

  async sweep (): Promise<void> {
    const { store, log, retentionMs } = this.init
    try {
      for (const copy of await store.purgeQuarantine(retentionMs)) {
        const why = copy.reason === 'replaced' ? 'a good copy is stored here again' : `kept for its retention (${retentionMs / 1000} s)`
        log.info(`deleted the quarantined copy of chunk ${copy.chunkId} (${formatBytes(copy.bytes)}): ${why}`)
      }
    } catch (err) {
      log.warn(`could not empty the quarantine: ${errorMessage(err)}`)
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.sweeping
  }
}
