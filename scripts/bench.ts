/**
 * `npm run bench [-- --size 64MiB --runs 1]`: how fast dfs moves a file, next
 * to how fast one raw libp2p stream can move the same bytes on this machine.
 *
 *  1. baseline: one Noise + Yamux stream between two processes (scripts/bench-raw-peer.ts);
 *     then the same with the receiver writing the bytes to a new file, a second ceiling
 *     for transfers that end in a file (writing a new file can cost much CPU);
 *  2. a real local cluster, each peer its own `dfs-peer` process: a directory and 3 storage nodes;
 *     with the real `dfs-client` CLI, on fresh random files:
 *     - upload with --replicas 1 (the directory rotates the chunks over the nodes),
 *     - download that file, its chunks spread over the 3 nodes,
 *     - upload with --replicas 3 (every node gets every chunk, by pipelined replication);
 *  3. a second cluster, a directory and 1 node: upload with --replicas 1 and download,
 *     every chunk from that one node.
 * Every download is checked by sha256. Two ratios are reported against their targets:
 * --replicas 3 upload over --replicas 1 upload (≥ 0.6), and the spread download over
 * the single-node download (≥ 1.0).
 *  4. in the 3-node cluster, through the library API in this process (scripts/bench-ops.ts):
 *     --small-files files of 4 KiB uploaded with 16 in flight (default replicas: 3) and
 *     downloaded back, in files per second; then 16 clients resolving names for
 *     --resolve-seconds, in resolves per second with p50/p99 latency;
 *  5. start-up: each peer from spawn to ready, and `dfs-client download NAME -` from
 *     spawn to its first byte on stdout.
 *
 * Every measurement is repeated `--runs` times; the table shows medians and ranges
 * and the JSON goes to bench/results/<UTC date and time>.json. Each run starts both clusters
 * afresh (one at a time, each warmed up with a small untimed upload and download)
 * and deletes them after, and every file is deleted as soon as it has been used,
 * so disk use peaks at about 5 x --size (a --replicas 3 upload alone keeps 3 copies).
 * All on 127.0.0.1, all state in a temp dir that is removed at the end; every
 * spawned process is stopped at the end, on error and on Ctrl-C.
 *
 * Options (or env): --size / BENCH_SIZE (default 256MiB), --runs / BENCH_RUNS (default 3),
 * --small-files / BENCH_SMALL_FILES (default 5000), --resolve-seconds / BENCH_RESOLVE_SECONDS (default 5).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { createHash, randomFillSync } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, open, rename, rm, statfs, writeFile } from 'node:fs/promises'
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { formatBytes, parseBytes } from '../src/util/units.ts'
import { binArgv } from '../src/util/node-command.ts'
import type { ResolveResult, SmallFilesResult } from './bench-ops.ts'

const SCRIPT_DIR = dirname(fileURLToPath(import.meta.url))
// compiled to dist/scripts/bench.js: the repository is two levels up
const ROOT = resolve(SCRIPT_DIR, '..', '..')
const PEER_BIN = join(ROOT, 'bin', 'dfs-peer.js')
const CLIENT_BIN = join(ROOT, 'bin', 'dfs-client.js')
const RAW_PEER = join(SCRIPT_DIR, 'bench-raw-peer.js')
const LIBRARY_OPS = join(SCRIPT_DIR, 'bench-ops.js')
/** the V8 flags each bin's shebang sets (peers and the client differ: see bin/) */
const PEER_NODE_FLAGS = binArgv(PEER_BIN).slice(1, -1)
const CLIENT_NODE_FLAGS = binArgv(CLIENT_BIN).slice(1, -1)
/**
 * The baseline runs with the V8 flags that make one raw stream fastest, so the ceiling is a fair one:
 * dfs-peer's young generation and old-generation floor (see bin/dfs-peer.js), but not its
 * --heap-growing-percent, which helps dfs's peers and slows a lone raw stream.
 */
const BASELINE_NODE_FLAGS = ['--max-semi-space-size=1', '--initial-old-space-size=48']

const DEFAULT_SIZE = '256MiB'
const DEFAULT_RUNS = 3
const DEFAULT_SMALL_FILES = 5000
const DEFAULT_RESOLVE_SECONDS = 5
/** The small-files scenario: 4 KiB files, 16 in flight, through the library API. */
const SMALL_FILE_BYTES = 4096
const SMALL_FILE_CONCURRENCY = 16
/** Concurrent clients in the directory scenario. */
const RESOLVE_CLIENTS = 16
/**
 * Untimed resolves before the timed ones: the first seconds of a fresh load are slower while the
 * directory's and the clients' resolve paths are compiled, and a cluster in service is warm.
 */
const RESOLVE_WARM_UP_MS = 2_000
const NODE_COUNT = 3
/** uploaded and downloaded untimed through each fresh cluster before anything is measured */
const WARM_UP_BYTES = 16 * 1024 * 1024
const LISTEN = '/ip4/127.0.0.1/tcp/0'
const RSS_POLL_MS = 50
const READY_TIMEOUT_MS = 30_000
/** Generous: a transfer that slow is a bug to look at, not a number to wait for. */
const COMMAND_TIMEOUT_MS = 10 * 60_000
const STOP_GRACE_MS = 5_000
const MB = 1e6
const MIB = 1024 * 1024

// ---------------------------------------------------------------- processes

/** VmHWM (peak resident set) of a live process in bytes; undefined once it is gone or off Linux. */
function readPeakRss (pid: number | undefined): number | undefined {
  if (pid == null) return undefined
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match != null ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

const live = new Set<Proc>()

/**
 * A spawned node process whose output we keep (stdout whole, since our
 * children print little there; the tail of stderr for error messages) and
 * whose peak RSS we sample while it runs: VmHWM vanishes with the process,
 * so the last sample before exit is the best we get.
 */
class Proc {
  readonly child: ChildProcess
  stdout = ''
  private stderrTail = ''
  peakRss?: number
  private readonly sampler: NodeJS.Timeout
  /** performance.now() at exit, for timing without the wait for stdio to close */
  exitedAt?: number
  /** performance.now() at spawn and at the first byte on stdout */
  readonly spawnedAt = performance.now()
  firstStdoutAt?: number
  readonly closed: Promise<{ code: number | null, signal: NodeJS.Signals | null }>

  constructor (readonly name: string, args: string[], nodeFlags = args[0] === PEER_BIN ? PEER_NODE_FLAGS : CLIENT_NODE_FLAGS) {
    // dfs's processes run with the V8 flags their bin's shebang sets
    this.child = spawn(process.execPath, [...nodeFlags, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    live.add(this)
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.firstStdoutAt ??= performance.now()
      this.stdout += text
    })
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => { this.stderrTail = (this.stderrTail + text).slice(-4000) })
    this.sampler = setInterval(() => { this.sample() }, RSS_POLL_MS)
    this.sample()
    this.child.on('exit', () => {
      this.exitedAt = performance.now()
      clearInterval(this.sampler)
      live.delete(this)
    })
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => { resolve({ code, signal }) })
      // a failed spawn emits 'error' and, for a process that never started, maybe no 'close'
      this.child.on('error', (err) => {
        this.stderrTail += `\n${err.message}`
        clearInterval(this.sampler)
        live.delete(this)
        resolve({ code: null, signal: null })
      })
    })
  }

  sample (): number | undefined {
    const rss = readPeakRss(this.child.pid)
    if (rss != null) this.peakRss = Math.max(this.peakRss ?? 0, rss)
    return this.peakRss
  }

  describeFailure (what: string): Error {
    const tail = this.stderrTail.trim()
    return new Error(`${this.name} ${what}${tail !== '' ? `; its stderr ends with:\n${tail}` : ''}`)
  }

  /** Resolve with the first capture group of the first stdout line matching `pattern`. */
  async waitForLine (pattern: RegExp, timeoutMs = READY_TIMEOUT_MS): Promise<string> {
    const started = performance.now()
    while (true) {
      for (const line of this.stdout.split('\n')) {
        const match = pattern.exec(line)
        if (match != null) return match[1]
      }
      if (this.exitedAt != null || this.child.exitCode != null) throw this.describeFailure('exited before it was ready')
      if (performance.now() - started > timeoutMs) throw this.describeFailure(`was not ready after ${timeoutMs / 1000} s`)
      // polling keeps this simple; readiness takes hundreds of ms, so 20 ms is noise
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** SIGTERM (dfs peers then stop cleanly), SIGKILL if that takes too long. */
  async stop (): Promise<void> {
    if (this.exitedAt != null || this.child.exitCode != null || this.child.signalCode != null) return
    this.child.kill('SIGTERM')
    const killer = setTimeout(() => { this.child.kill('SIGKILL') }, STOP_GRACE_MS)
    await this.closed
    clearTimeout(killer)
  }
}

interface CommandResult {
  ms: number
  stdout: string
  peakRss?: number
}

/** Run a short-lived command to completion: wall time from spawn to exit, and its peak RSS. */
async function runCommand (name: string, args: string[], nodeFlags?: string[]): Promise<CommandResult> {
  const start = performance.now()
  const proc = new Proc(name, args, nodeFlags)
  const timeout = setTimeout(() => { proc.child.kill('SIGKILL') }, COMMAND_TIMEOUT_MS)
  const { code, signal } = await proc.closed
  clearTimeout(timeout)
  if (code !== 0) throw proc.describeFailure(`failed (${signal != null ? `signal ${signal}` : `exit code ${code}`})`)
  return { ms: (proc.exitedAt ?? performance.now()) - start, stdout: proc.stdout, peakRss: proc.peakRss }
}

/**
 * A library-API scenario of bench-ops.ts in a process of its own, with dfs-client's V8 flags: with
 * Node's default young generation, each scavenge pauses every resolving client in the process at once.
 */
async function libraryOps<T> (scenario: 'small-files' | 'resolves', directory: string, options: object): Promise<T> {
  const { stdout } = await runCommand(`library ${scenario}`, [LIBRARY_OPS, scenario, directory, JSON.stringify(options)], CLIENT_NODE_FLAGS)
  return JSON.parse(stdout) as T
}

// ---------------------------------------------------------------- files

/** Write `size` random bytes; returns their sha256 so the file need not be read back. */
async function writeRandomFile (path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(4 * MIB)
  const handle = await open(path, 'w')
  try {
    for (let written = 0; written < size;) {
      const length = Math.min(buffer.byteLength, size - written)
      randomFillSync(buffer, 0, length)
      hash.update(buffer.subarray(0, length))
      await handle.write(buffer, 0, length)
      written += length
    }
    // on disk before the clock starts, as a file a user uploads usually is, so that the kernel's
    // writing back of the benchmark's own input is not part of the upload's time
    await handle.datasync()
  } finally {
    await handle.close()
  }
  return hash.digest('hex')
}

async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const piece of createReadStream(path, { highWaterMark: MIB })) hash.update(piece as Buffer)
  return hash.digest('hex')
}

// ---------------------------------------------------------------- stats and report

interface Summary { median: number, min: number, max: number }

function summarize (values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1] }
}

interface Scenario {
  /** stable key for the JSON reader */
  id: string
  name: string
  /** what the clock covers, for the JSON reader */
  timing: string
  bytes?: number
  runs: Array<{ ms: number, mbPerS?: number, mbPerSExcludingStartup?: number, peakRssBytes?: number }>
  seconds: Summary
  mbPerS?: Summary
  /** throughput with the median start-up cost (`ls`) taken out of each run's time */
  mbPerSExcludingStartup?: Summary
  ratioToBaseline?: number
  /** against the raw stream whose receiver writes a new file: where the machine's file writes are part of the ceiling */
  ratioToBaselineIntoFile?: number
  /** each run's MB/s over the baseline's in the same run (the baseline is measured at the start of every run) */
  ratioToBaselinePerRun?: Summary
  /** the same with the median start-up cost taken out of each run's time, as the baseline's time leaves out its process start and dial */
  ratioToBaselinePerRunExcludingStartup?: Summary
  peakRss: Record<string, number | undefined>
}

function scenario (id: string, name: string, timing: string, runs: CommandResult[], bytes: number | undefined, peakRss: Record<string, number | undefined>, startupMs?: number): Scenario {
  const rate = (ms: number): number => bytes! / MB / (ms / 1000)
  const excludingStartup = bytes != null && startupMs != null && runs.every((r) => r.ms > startupMs)
  return {
    id,
    name,
    timing,
    bytes,
    runs: runs.map((r) => ({ ms: r.ms, mbPerS: bytes != null ? rate(r.ms) : undefined, mbPerSExcludingStartup: excludingStartup ? rate(r.ms - startupMs!) : undefined, peakRssBytes: r.peakRss })),
    seconds: summarize(runs.map((r) => r.ms / 1000)),
    mbPerS: bytes != null ? summarize(runs.map((r) => rate(r.ms))) : undefined,
    mbPerSExcludingStartup: excludingStartup ? summarize(runs.map((r) => rate(r.ms - startupMs!))) : undefined,
    peakRss
  }
}

const maxOf = (values: Array<number | undefined>): number | undefined =>
  values.some((v) => v != null) ? Math.max(...values.filter((v): v is number => v != null)) : undefined

const mib = (bytes: number | undefined): string => bytes != null ? (bytes / MIB).toFixed(0) : '?'
const rateText = (s: Summary | undefined): string => s != null ? `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})` : '–'
const ratioRangeText = (s: Summary | undefined): string => s != null ? `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : '–'

function printTable (rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd())
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
}

function packageVersion (name: string): string | undefined {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version
  } catch {
    return undefined
  }
}

function gitState (): { commit?: string, dirty?: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== ''
    return { commit, dirty }
  } catch {
    return {}
  }
}

// ---------------------------------------------------------------- options

interface Options { size: number, runs: number, smallFiles: number, resolveSeconds: number }

function parseOptions (): Options {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      runs: { type: 'string' },
      'small-files': { type: 'string' },
      'resolve-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    console.log('usage: npm run bench [-- --size 256MiB] [--runs 3] [--small-files 5000] [--resolve-seconds 5]   (or BENCH_SIZE, BENCH_RUNS, BENCH_SMALL_FILES, BENCH_RESOLVE_SECONDS)')
    process.exit(0)
  }
  const smallFiles = Number(values['small-files'] ?? process.env.BENCH_SMALL_FILES ?? DEFAULT_SMALL_FILES)
  const resolveSeconds = Number(values['resolve-seconds'] ?? process.env.BENCH_RESOLVE_SECONDS ?? DEFAULT_RESOLVE_SECONDS)
  if (!Number.isSafeInteger(smallFiles) || smallFiles < 1) throw new Error('--small-files must be a whole number of at least 1')
  if (!(resolveSeconds > 0)) throw new Error('--resolve-seconds must be more than 0')
  const size = parseBytes(values.size ?? process.env.BENCH_SIZE ?? DEFAULT_SIZE)
  const runs = Number(values.runs ?? process.env.BENCH_RUNS ?? DEFAULT_RUNS)
  if (size <= 0) throw new Error('--size must be more than 0 bytes')
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got ${values.runs ?? process.env.BENCH_RUNS}`)
  return { size, runs, smallFiles, resolveSeconds }
}

// ---------------------------------------------------------------- the benchmark

let workDir: string | undefined
let cleaning: Promise<void> | undefined

/** Stop every process we started and remove the temp dir; safe to call more than once. */
async function cleanup (): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...live].map(async (proc) => { await proc.stop() }))
    if (workDir != null) await rm(workDir, { recursive: true, force: true })
  })()
  await cleaning
}

/**
 * The raw-stream ceiling: one receiver for the whole benchmark, and one
 * timed send per run, taken just before that run's clusters, so that the
 * machine's drift over the benchmark hits the ceiling and dfs alike.
 */
class RawBaseline {
  private readonly results: CommandResult[] = []

  private constructor (private readonly receiver: Proc, private readonly addr: string, private readonly intoDir?: string) {}

  /** With `intoDir`, the receiver writes what it gets to a new file there, as a download does. */
  static async start (intoDir?: string): Promise<RawBaseline> {
    const receiver = new Proc('raw receiver', [RAW_PEER, 'receive', ...(intoDir != null ? [intoDir] : [])], BASELINE_NODE_FLAGS)
    return new RawBaseline(receiver, await receiver.waitForLine(/^listening on (\S+)/), intoDir)
  }

  /** One timed transfer of `size` bytes: its MB/s. */
  async measure (size: number): Promise<number> {
    const sender = await runCommand('raw sender', [RAW_PEER, 'send', this.addr, String(size)], BASELINE_NODE_FLAGS)
    // the sender times itself from its first byte to the receiver's ack, leaving out process start and dial
    const { ms } = JSON.parse(sender.stdout) as { ms: number }
    this.results.push({ ...sender, ms })
    return size / MB / (ms / 1000)
  }

  async finish (size: number): Promise<Scenario> {
    this.receiver.sample()
    await this.receiver.stop()
    const peakRss = { sender: maxOf(this.results.map((r) => r.peakRss)), receiver: this.receiver.peakRss }
    return this.intoDir != null
      ? scenario('baselineIntoFile', 'raw libp2p stream into a new file', 'sender process, first byte to receiver ack (after closing the file); excludes process start and dial', this.results, size, peakRss)
      : scenario('baseline', 'raw libp2p stream (baseline)', 'sender process, first byte to receiver ack; excludes process start and dial', this.results, size, peakRss)
  }
}

/**
 * Each run's MB/s over the baseline's in the same run: the spread of the ratio,
 * free of the drift between runs; with `excludingStartup`, each run's MB/s with
 * the start-up cost taken out.
 */
function perRunRatios (s: Scenario, base: Scenario, excludingStartup = false): Summary | undefined {
  const rate = (run: Scenario['runs'][number]): number | undefined => excludingStartup ? run.mbPerSExcludingStartup : run.mbPerS
  if (s.runs.length !== base.runs.length || s.runs.some((run) => rate(run) == null)) return undefined
  return summarize(s.runs.map((run, i) => rate(run)! / base.runs[i].mbPerS!))
}

interface PeerRss { directory?: number, nodes: Array<number | undefined> }

/** Peak of each peer over several clusters of the same shape. */
function maxPeerRss (a: PeerRss | undefined, b: PeerRss): PeerRss {
  if (a == null) return b
  return { directory: maxOf([a.directory, b.directory]), nodes: b.nodes.map((rss, i) => maxOf([a.nodes[i], rss])) }
}

/**
 * A directory and `nodeCount` storage nodes, each its own `dfs-peer` process,
 * with all state under `dir`; `client` is the dfs-client command line for it.
 */
class Cluster {
  private constructor (readonly dir: string, readonly directory: Proc, readonly nodes: Proc[], readonly client: string[], readonly directoryAddr: string, readonly readyMs: { directory: number, nodes: number[] }) {}

  static async start (label: string, dir: string, nodeCount: number): Promise<Cluster> {
    const directory = new Proc(`${label} directory`, [PEER_BIN, '--role', 'directory', '--open', '--data-dir', join(dir, 'directory'), '--listen', LISTEN])
    const directoryAddr = await directory.waitForLine(/^listening on (\S+)/)
    const directoryReadyMs = performance.now() - directory.spawnedAt
    // no scrubbing: re-hashing stored chunks in the background would only add noise
    const nodes = Array.from({ length: nodeCount }, (_, i) => new Proc(`${label} node ${i + 1}`,
      [PEER_BIN, '--role', 'node', '--directory', directoryAddr, '--data-dir', join(dir, `node${i + 1}`), '--listen', LISTEN, '--scrub-rate', '0']))
    // a node prints its address only once the directory has registered it
    const nodesReadyMs = await Promise.all(nodes.map(async (node) => {
      await node.waitForLine(/^listening on (\S+)/)
      return performance.now() - node.spawnedAt
    }))
    // its own home, so a developer's ~/.dfs/config.json cannot change what is measured
    return new Cluster(dir, directory, nodes, [CLIENT_BIN, '--home', join(dir, 'client-home'), '--directory', directoryAddr], directoryAddr, { directory: directoryReadyMs, nodes: nodesReadyMs })
  }

  /** Stop the peers (nodes first, so none is left talking to a directory that is gone) and delete every chunk they kept. */
  async stop (): Promise<PeerRss> {
    const rss = { directory: this.directory.sample(), nodes: this.nodes.map((node) => node.sample()) }
    await Promise.all(this.nodes.map(async (node) => { await node.stop() }))
    await this.directory.stop()
    await rm(this.dir, { recursive: true, force: true })
    return rss
  }
}

interface Uploaded { result: CommandResult, fileId: string, sha256: string }

/** Upload a fresh random file (the same bytes again would be deduplicated by content ID); the input is deleted at once. */
async function uploadFresh (cluster: Cluster, path: string, size: number, replicas: number): Promise<Uploaded> {
  const sha256 = await writeRandomFile(path, size)
  let result: CommandResult
  try {
    result = await runCommand(`dfs-client upload --replicas ${replicas}`, [...cluster.client, 'upload', path, '--replicas', String(replicas)])
  } finally {
    await rm(path, { force: true })
  }
  const fileId = result.stdout.trim()
  if (fileId === '') throw new Error('dfs-client upload printed no file ID')
  return { result, fileId, sha256 }
}

/** Download a file and check it by sha256; the copy is deleted at once. */
async function downloadChecked (cluster: Cluster, path: string, file: Uploaded, what: string): Promise<CommandResult> {
  try {
    const result = await runCommand(`dfs-client download (${what})`, [...cluster.client, 'download', file.fileId, path])
    const sha256 = await sha256File(path)
    if (sha256 !== file.sha256) throw new Error(`${what}: the downloaded file differs from the upload (sha256 ${sha256} != ${file.sha256})`)
    return result
  } finally {
    await rm(path, { force: true })
  }
}

/** The live nodes holding each chunk of a file, from `dfs-client stat --json` (untimed). */
async function chunkHolders (cluster: Cluster, fileId: string): Promise<string[][]> {
  const { stdout } = await runCommand('dfs-client stat', [...cluster.client, 'stat', fileId, '--json'])
  return (JSON.parse(stdout) as { chunks: Array<{ peers: string[] }> }).chunks.map((chunk) => chunk.peers)
}

/**
 * A small upload and download through every node before anything is timed:
 * peers in a real cluster are long-lived, so their first-use costs (JIT,
 * connections between nodes) should not land on whichever scenario runs first.
 */
async function warmUp (cluster: Cluster, replicas: number): Promise<void> {
  const file = await uploadFresh(cluster, join(cluster.dir, 'warm-up.bin'), WARM_UP_BYTES, replicas)
  await downloadChecked(cluster, join(cluster.dir, 'warm-up.out'), file, 'warm-up')
}

const rateOf = (bytes: number, result: CommandResult): string => `${(bytes / MB / (result.ms / 1000)).toFixed(0)} MB/s`

interface Ratio {
  /** median MB/s of `numerator` over median MB/s of `denominator` */
  value: number
  /** the same from each run's own pair */
  perRun: number[]
  /** from the medians of "MB/s excl. start-up" */
  excludingStartup?: number
  target: number
  met: boolean
  numerator: string
  denominator: string
}

function ratio (numerator: Scenario, denominator: Scenario, target: number): Ratio {
  const value = numerator.mbPerS!.median / denominator.mbPerS!.median
  return {
    value,
    perRun: numerator.runs.map((run, i) => run.mbPerS! / denominator.runs[i].mbPerS!),
    excludingStartup: numerator.mbPerSExcludingStartup != null && denominator.mbPerSExcludingStartup != null
      ? numerator.mbPerSExcludingStartup.median / denominator.mbPerSExcludingStartup.median
      : undefined,
    target,
    met: value >= target,
    numerator: numerator.id,
    denominator: denominator.id
  }
}

function ratioText (label: string, r: Ratio): string {
  const perRun = r.perRun.length > 1 ? `runs ${Math.min(...r.perRun).toFixed(2)}–${Math.max(...r.perRun).toFixed(2)}, ` : ''
  const excluding = r.excludingStartup != null ? `excl. start-up ${r.excludingStartup.toFixed(2)}` : 'excl. start-up –'
  return `${label}${r.value.toFixed(2)} (${perRun}${excluding})   target ≥ ${r.target.toFixed(1)}: ${r.met ? 'met' : 'NOT met'}`
}

async function main (): Promise<void> {
  // every process here runs on process.execPath, and libp2p 3 needs Node 22+ (see bin/dfs-peer.js)
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw new Error(`the benchmark needs Node.js 22 or newer, this is ${process.version}; run it with npm run bench (which uses the Node pinned in node_modules)`)
  }
  const { size, runs, smallFiles: smallFileCount, resolveSeconds } = parseOptions()
  const startedAt = new Date()
  const load = loadavg()
  console.log(`dfs bench: ${formatBytes(size)} (${size} bytes), ${runs} run(s), ${cpus().length} CPUs, Node ${process.version}`)
  if (load[0] > cpus().length / 2) {
    console.log(`  warning: load average is ${load[0].toFixed(2)} already; other work on this machine will skew the numbers`)
  }
  workDir = await mkdtemp(join(tmpdir(), 'dfs-bench-'))
  // at the worst moment: the --replicas 1 file's chunks, the next input file and its three copies
  const diskNeeded = (NODE_COUNT + 2) * size + 4 * WARM_UP_BYTES
  const disk = await statfs(workDir)
  if (disk.bavail * disk.bsize < diskNeeded) {
    throw new Error(`${workDir} has ${formatBytes(disk.bavail * disk.bsize)} free; a run with --size ${formatBytes(size)} needs about ${formatBytes(diskNeeded)}`)
  }

  // the ceilings' receivers live for the whole benchmark; each run measures them first
  const rawBaseline = await RawBaseline.start()
  const rawIntoFileBaseline = await RawBaseline.start(workDir)

  // Each run starts both clusters afresh and deletes them after, so chunks never
  // pile up on disk: the 3-node cluster for both uploads and the spread download,
  // then the 1-node cluster for the single-node download. Only one runs at a time.
  const lsRuns: CommandResult[] = []
  const upload1: CommandResult[] = []
  const upload3: CommandResult[] = []
  const downloadSpread: CommandResult[] = []
  const uploadSingle: CommandResult[] = []
  const downloadSingle: CommandResult[] = []
  const spreadChunksPerNode: number[][] = []
  let spreadRss: PeerRss | undefined
  let singleRss: PeerRss | undefined
  const smallRuns: SmallFilesResult[] = []
  const resolveRuns: ResolveResult[] = []
  const firstByteMs: number[] = []
  const directoryReadyMs: number[] = []
  const nodeReadyMs: number[] = []
  for (let run = 1; run <= runs; run++) {
    console.log(`run ${run}/${runs}`)
    const runDir = join(workDir, `run-${run}`)
    const rawRate = await rawBaseline.measure(size)
    const rawIntoFileRate = await rawIntoFileBaseline.measure(size)
    console.log(`  raw libp2p stream (baseline) ${rawRate.toFixed(0)} MB/s; into a new file ${rawIntoFileRate.toFixed(0)} MB/s`)

    const spread = await Cluster.start('3-node cluster', join(runDir, 'cluster-3'), NODE_COUNT)
    directoryReadyMs.push(spread.readyMs.directory)
    nodeReadyMs.push(...spread.readyMs.nodes)
    await warmUp(spread, NODE_COUNT)
    // from spawning `dfs-client download NAME -` to its first byte on stdout
    const small = await uploadFresh(spread, join(runDir, 'first-byte.bin'), 64 * 1024, NODE_COUNT)
    const firstByte = new Proc('dfs-client download -', [...spread.client, 'download', small.fileId, '-'])
    const { code } = await firstByte.closed
    if (code !== 0 || firstByte.firstStdoutAt == null) throw firstByte.describeFailure('failed')
    firstByteMs.push(firstByte.firstStdoutAt - firstByte.spawnedAt)
    // `ls` does nothing but start, connect and ask one question: the fixed cost inside every CLI timing
    lsRuns.push(await runCommand('dfs-client ls', [...spread.client, 'ls']))
    const one = await uploadFresh(spread, join(runDir, 'replicas-1.bin'), size, 1)
    upload1.push(one.result)
    // the directory rotates a --replicas 1 file's chunks over the nodes: check that it did, or scenario 3 measures something else
    const holders1 = await chunkHolders(spread, one.fileId)
    const perNode = new Map<string, number>()
    for (const peers of holders1) {
      if (peers.length !== 1) throw new Error(`a --replicas 1 chunk is on ${peers.length} nodes: ${peers.join(', ')}`)
      perNode.set(peers[0], (perNode.get(peers[0]) ?? 0) + 1)
    }
    if (perNode.size < Math.min(NODE_COUNT, holders1.length)) {
      throw new Error(`the --replicas 1 file's ${holders1.length} chunks are on ${perNode.size} of ${NODE_COUNT} nodes, not spread over all of them`)
    }
    const counts = [...perNode.values()].sort((a, b) => b - a)
    spreadChunksPerNode.push(counts)
    downloadSpread.push(await downloadChecked(spread, join(runDir, 'replicas-1.out'), one, 'chunks on 3 nodes'))
    const three = await uploadFresh(spread, join(runDir, 'replicas-3.bin'), size, NODE_COUNT)
    upload3.push(three.result)
    const short = (await chunkHolders(spread, three.fileId)).filter((peers) => new Set(peers).size !== NODE_COUNT).length
    if (short > 0) throw new Error(`${short} chunk(s) of the --replicas ${NODE_COUNT} file are not on all ${NODE_COUNT} nodes`)
    console.log(`  3 nodes: upload --replicas 1 ${rateOf(size, one.result)}, download (chunks ${counts.join('/')} over the nodes) ${rateOf(size, downloadSpread.at(-1)!)}, upload --replicas 3 ${rateOf(size, three.result)}; sha256 matches`)
    const smallRun: SmallFilesResult = await libraryOps('small-files', spread.directoryAddr, { count: smallFileCount, size: SMALL_FILE_BYTES, concurrency: SMALL_FILE_CONCURRENCY, replicas: 0, prefix: `small-${run}` })
    smallRuns.push(smallRun)
    const names = Array.from({ length: Math.min(smallFileCount, 1000) }, (_, i) => `small-${run}-${i}`)
    const resolveRun: ResolveResult = await libraryOps('resolves', spread.directoryAddr, { names, clients: RESOLVE_CLIENTS, durationMs: resolveSeconds * 1000, warmUpMs: RESOLVE_WARM_UP_MS })
    resolveRuns.push(resolveRun)
    console.log(`  ${smallFileCount} files of ${SMALL_FILE_BYTES} bytes, ${SMALL_FILE_CONCURRENCY} in flight, 3 copies each: ${smallRun.uploadsPerS.toFixed(0)} uploads/s, ${smallRun.downloadsPerS.toFixed(0)} downloads/s; ` +
      `directory: ${resolveRun.perSecond.toFixed(0)} resolves/s from ${RESOLVE_CLIENTS} clients, p50 ${resolveRun.p50Ms.toFixed(1)} ms, p99 ${resolveRun.p99Ms.toFixed(1)} ms; first byte after ${firstByteMs.at(-1)!.toFixed(0)} ms`)
    spreadRss = maxPeerRss(spreadRss, await spread.stop())

    const single = await Cluster.start('1-node cluster', join(runDir, 'cluster-1'), 1)
    await warmUp(single, 1)
    const alone = await uploadFresh(single, join(runDir, 'single.bin'), size, 1)
    uploadSingle.push(alone.result)
    downloadSingle.push(await downloadChecked(single, join(runDir, 'single.out'), alone, 'chunks on 1 node'))
    console.log(`  1 node:  upload --replicas 1 ${rateOf(size, alone.result)}, download ${rateOf(size, downloadSingle.at(-1)!)}; sha256 matches`)
    singleRss = maxPeerRss(singleRss, await single.stop())
    await rm(runDir, { recursive: true, force: true })
  }
  const startupMs = summarize(lsRuns.map((r) => r.ms)).median
  const raw = await rawBaseline.finish(size)
  const rawIntoFile = await rawIntoFileBaseline.finish(size)
  await cleanup()

  const cliTiming = 'wall time of the dfs-client process, spawn to exit (includes Node start, connecting to the directory)'
  const cli = (id: string, name: string, results: CommandResult[]): Scenario =>
    scenario(id, name, cliTiming, results, size, { client: maxOf(results.map((r) => r.peakRss)) }, startupMs)
  const up1 = cli('upload-replicas-1', 'upload --replicas 1, 3 nodes', upload1)
  const up3 = cli('upload-replicas-3', 'upload --replicas 3, 3 nodes', upload3)
  const downSpread = cli('download-spread', 'download, chunks on 3 nodes', downloadSpread)
  const upSingle = cli('upload-single-node', 'upload --replicas 1, 1 node', uploadSingle)
  const downSingle = cli('download-single-node', 'download, chunks on 1 node', downloadSingle)
  const scenarios = [
    raw, rawIntoFile, up1, up3, downSpread, upSingle, downSingle,
    scenario('startup', 'dfs-client ls (start-up cost)', cliTiming, lsRuns, undefined, { client: maxOf(lsRuns.map((r) => r.peakRss)) })
  ]
  for (const s of scenarios) {
    if (s.mbPerS != null) s.ratioToBaseline = s.mbPerS.median / raw.mbPerS!.median
    if (s.mbPerS != null && s !== raw) s.ratioToBaselineIntoFile = s.mbPerS.median / rawIntoFile.mbPerS!.median
    if (s !== raw) s.ratioToBaselinePerRun = perRunRatios(s, raw)
    if (s !== raw) s.ratioToBaselinePerRunExcludingStartup = perRunRatios(s, raw, true)
  }
  const targets = {
    /** pipelined replication: three copies should cost well under three times one */
    uploadReplicas3ToReplicas1: ratio(up3, up1, 0.6),
    /** reading from three nodes at once should be at least as fast as from one */
    downloadSpreadToSingleNode: ratio(downSpread, downSingle, 1.0)
  }

  console.log(`\n${formatBytes(size)}, ${runs} run(s); MB = 1e6 bytes; RSS = peak resident set (VmHWM), MiB`)
  printTable([
    ['scenario', 'seconds (median)', 'MB/s median (min–max)', 'x baseline', 'x baseline per run', 'x into file', 'MB/s excl. start-up', 'x per run excl. start-up', 'peak RSS'],
    ...scenarios.map((s) => [
      s.name,
      s.seconds.median.toFixed(2),
      rateText(s.mbPerS),
      s.ratioToBaseline != null ? s.ratioToBaseline.toFixed(2) : '–',
      ratioRangeText(s.ratioToBaselinePerRun),
      s.ratioToBaselineIntoFile != null ? s.ratioToBaselineIntoFile.toFixed(2) : '–',
      rateText(s.mbPerSExcludingStartup),
      ratioRangeText(s.ratioToBaselinePerRunExcludingStartup),
      Object.entries(s.peakRss).map(([who, bytes]) => `${who} ${mib(bytes)}`).join(', ')
    ])
  ])
  console.log('')
  const ratioLines: Array<[string, Ratio]> = [
    ['upload --replicas 3 / --replicas 1:', targets.uploadReplicas3ToReplicas1],
    ['download chunks on 3 nodes / on 1 node:', targets.downloadSpreadToSingleNode]
  ]
  const labelWidth = Math.max(...ratioLines.map(([label]) => label.length)) + 1
  for (const [label, r] of ratioLines) console.log(ratioText(label.padEnd(labelWidth), r))
  console.log('')
  const ops = {
    smallFiles: {
      files: smallFileCount,
      fileBytes: SMALL_FILE_BYTES,
      concurrency: SMALL_FILE_CONCURRENCY,
      replicas: NODE_COUNT,
      uploadsPerS: summarize(smallRuns.map((r) => r.uploadsPerS)),
      downloadsPerS: summarize(smallRuns.map((r) => r.downloadsPerS)),
      runs: smallRuns
    },
    directoryResolves: {
      clients: RESOLVE_CLIENTS,
      seconds: resolveSeconds,
      warmUpSeconds: RESOLVE_WARM_UP_MS / 1000,
      perSecond: summarize(resolveRuns.map((r) => r.perSecond)),
      p50Ms: summarize(resolveRuns.map((r) => r.p50Ms)),
      p99Ms: summarize(resolveRuns.map((r) => r.p99Ms)),
      runs: resolveRuns
    },
    startToReadyMs: { directory: summarize(directoryReadyMs), node: summarize(nodeReadyMs) },
    clientStartToFirstByteMs: summarize(firstByteMs)
  }
  const opsText = (s: Summary, digits = 0): string => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
  printTable([
    ['operation', 'median (min–max)', 'target'],
    [`small files: uploads/s (${smallFileCount} x ${SMALL_FILE_BYTES} B, ${SMALL_FILE_CONCURRENCY} in flight, ${NODE_COUNT} copies)`, opsText(ops.smallFiles.uploadsPerS), '≥ 1000'],
    ['small files: downloads/s', opsText(ops.smallFiles.downloadsPerS), '≥ 2000'],
    [`directory: resolves/s (${RESOLVE_CLIENTS} clients)`, opsText(ops.directoryResolves.perSecond), '≥ 5000'],
    ['directory: resolve p50 / p99 ms', `${opsText(ops.directoryResolves.p50Ms, 1)} / ${opsText(ops.directoryResolves.p99Ms, 1)}`, 'p99 < 10'],
    ['dfs-peer start to ready, ms: directory / node', `${opsText(ops.startToReadyMs.directory)} / ${opsText(ops.startToReadyMs.node)}`, '–'],
    ['dfs-client start to first byte, ms', opsText(ops.clientStartToFirstByteMs), '< 500']
  ])
  console.log('')
  console.log(`peers' peak RSS over the runs: 3-node cluster directory ${mib(spreadRss?.directory)} MiB, nodes ${spreadRss?.nodes.map(mib).join(' / ')} MiB; ` +
    `1-node cluster directory ${mib(singleRss?.directory)} MiB, node ${singleRss?.nodes.map(mib).join(' / ')} MiB`)
  console.log('baseline times from first byte to ack inside the sender; dfs-client times include process start (see the ls row)')

  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    parameters: {
      sizeBytes: size,
      runs,
      clusters: { spread: { nodes: NODE_COUNT }, singleNode: { nodes: 1 } },
      order: 'per run: one raw stream (baseline), one raw stream into a new file (their receivers live for the whole benchmark), then a fresh 3-node cluster (warm-up, first byte, ls, upload --replicas 1, stat, download, upload --replicas 3, stat, small files up and down, resolves), stopped and deleted; then a fresh 1-node cluster (warm-up, upload --replicas 1, download), stopped and deleted',
      warmUpBytes: WARM_UP_BYTES,
      nodeScrubRate: 0,
      rawWriteBytes: 256 * 1024,
      nodeFlags: { peer: PEER_NODE_FLAGS, client: CLIENT_NODE_FLAGS },
      baselineNodeFlags: BASELINE_NODE_FLAGS,
      rssPollMs: RSS_POLL_MS
    },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      totalMemoryBytes: totalmem(),
      platform: process.platform,
      arch: process.arch,
      kernel: release(),
      node: process.version,
      loadAverageAtStart: load
    },
    versions: Object.fromEntries(['libp2p', '@libp2p/tcp', '@chainsafe/libp2p-noise', '@chainsafe/libp2p-yamux'].map((name) => [name, packageVersion(name)])),
    git: gitState(),
    scenarios,
    targets,
    ops,
    /** per run: how many of the --replicas 1 file's chunks each node held, largest first */
    spreadChunksPerNode,
    clusterPeakRssBytes: { spread: spreadRss, singleNode: singleRss }
  }
  const outDir = join(ROOT, 'bench', 'results')
  await mkdir(outDir, { recursive: true })
  // one file per run (UTC date and time), so runs on the same day are all kept; written whole, then renamed
  const outFile = join(outDir, `${startedAt.toISOString().slice(0, 16).replace(':', '')}Z.json`)
  await writeFile(`${outFile}.tmp`, JSON.stringify(results, null, 2) + '\n')
  await rename(`${outFile}.tmp`, outFile)
  console.log(`results: ${outFile}`)
}

let interrupted = false
const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupted) return
  interrupted = true
  console.error(`\n${signal}: stopping the benchmark's processes`)
  cleanup().finally(() => { process.exit(130) })
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
// last resort if we exit some other way: a synchronous kill is all that still runs here
process.on('exit', () => {
  for (const proc of live) proc.child.kill('SIGKILL')
})

try {
  await main()
} catch (err) {
  // after Ctrl-C the children die first and their failures are just noise
  if (!interrupted) {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  }
} finally {
  await cleanup()
}
