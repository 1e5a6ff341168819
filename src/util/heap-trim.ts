/**
 * Full garbage collections on a clock while a download runs.
 *
 * Every Noise message a download receives is decrypted into a buffer of its
 * own, outside V8's heap. A few of them are still in use when two scavenges
 * come and are promoted with the small object that holds them; only a full GC
 * frees them, and V8 starts one by the old generation's size, in which each
 * buffer counts as a few bytes, so without this a long download's memory
 * grows with the file. The old generation needs a floor
 * (bin/dfs-client.js: --initial-old-space-size=32), or V8's tight limit after
 * each full GC leads to back-to-back full GCs.
 *
 * Uploads do without: their memory stays flat anyway, and the GCs cost them CPU.
 *
 * V8 gives a program a full GC only through `gc` (`node --expose-gc`, as
 * bin/dfs-client.js runs); without it this does nothing.
 */
export const HEAP_TRIM_INTERVAL_MS = 2_000

let intervalMs = HEAP_TRIM_INTERVAL_MS

/**
 * How often running downloads ask for a full GC, from now on; 0 turns it
 * off. For embedders and tests: dfs-client keeps the default.
 */
export function setHeapTrimInterval (ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the heap trim interval must be 0 or more milliseconds, got ${ms}`)
  intervalMs = ms
  // downloads already running follow the new interval
  stopClock()
  if (downloads > 0) startClock()
}

type Collect = (options: { type: 'major', execution: 'async' }) => Promise<void> | undefined

let downloads = 0
let timer: ReturnType<typeof setInterval> | undefined
let collecting = false
/** full GCs asked for so far (for tests and logs) */
let collections = 0

function collector (): Collect | undefined {
  const gc = (globalThis as { gc?: unknown }).gc
  return typeof gc === 'function' ? gc as Collect : undefined
}

function collect (): void {
  const gc = collector()
  if (gc == null || collecting) return
  collecting = true
  collections++
  // async: V8 runs it as a task of its own, between our callbacks
  Promise.resolve(gc({ type: 'major', execution: 'async' })).catch(() => {}).finally(() => { collecting = false })
}

/**
 * A download starts: until the function returned is called, a full GC every
 * `HEAP_TRIM_INTERVAL_MS` (see setHeapTrimInterval), one clock for all
 * downloads running at once. The returned function may be called more than
 * once.
 */
export function trimHeapDuringDownload (): () => void {
  if (collector() == null) return () => {}
  downloads++
  if (timer == null) startClock()
  let ended = false
  return () => {
    if (ended) return
    ended = true
    downloads--
    if (downloads === 0) stopClock()
  }
}

function startClock (): void {
  if (intervalMs === 0) return
  timer = setInterval(collect, intervalMs)
  timer.unref()
}

function stopClock (): void {
  if (timer != null) clearInterval(timer)
  timer = undefined
}

/** Full GCs asked for since the process started. */
export function heapTrimCollections (): number {
  return collections
}
