/**
 * `npm run bench [-- --size 64MiB --runs 1]`: how fast dfs moves a file, next
 * to how fast one raw libp2p stream can move the same bytes on this machine.
 *
 *  1. baseline: one Noise + Yamux stream between two processes (scripts/bench-raw-peer.ts);
 *  2. a real local cluster: a directory and 3 storage nodes, each its own `dfs-peer` process;
 *  3. upload and download of a fresh random file with the real `dfs-client` CLI, checked by sha256.
 *
 * Every measurement is repeated `--runs` times; the table shows medians and ranges
 * and the JSON goes to bench/results/<UTC date>.json. All on 127.0.0.1, all state in a
 * temp dir that is removed at the end; every spawned process is stopped at the end,
 * on error and on Ctrl-C.
 *
 * Options (or env): --size / BENCH_SIZE (default 256MiB), --runs / BENCH_RUNS (default 3).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { createHash, randomFillSync } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { formatBytes, parseBytes } from '../src/util/units.ts'
import { binArgv } from '../src/util/node-command.ts'

const SCRIPT_DIR = dirname(fileURLToPath(import.meta.url))
// compiled to dist/scripts/bench.js: the repository is two levels up
const ROOT = resolve(SCRIPT_DIR, '..', '..')
const PEER_BIN = join(ROOT, 'bin', 'dfs-peer.js')
const CLIENT_BIN = join(ROOT, 'bin', 'dfs-client.js')
const RAW_PEER = join(SCRIPT_DIR, 'bench-raw-peer.js')
const NODE_FLAGS = binArgv(PEER_BIN).slice(1, -1)

const DEFAULT_SIZE = '256MiB'
const DEFAULT_RUNS = 3
const NODE_COUNT = 3
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
  readonly closed: Promise<{ code: number | null, signal: NodeJS.Signals | null }>

  constructor (readonly name: string, args: string[]) {
    // every process, the baseline's too, runs with the V8 flags our bins' shebang sets
    this.child = spawn(process.execPath, [...NODE_FLAGS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    live.add(this)
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => { this.stdout += text })
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
async function runCommand (name: string, args: string[]): Promise<CommandResult> {
  const start = performance.now()
  const proc = new Proc(name, args)
  const timeout = setTimeout(() => { proc.child.kill('SIGKILL') }, COMMAND_TIMEOUT_MS)
  const { code, signal } = await proc.closed
  clearTimeout(timeout)
  if (code !== 0) throw proc.describeFailure(`failed (${signal != null ? `signal ${signal}` : `exit code ${code}`})`)
  return { ms: (proc.exitedAt ?? performance.now()) - start, stdout: proc.stdout, peakRss: proc.peakRss }
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
  name: string
  /** what the clock covers, for the JSON reader */
  timing: string
  bytes?: number
  runs: Array<{ ms: number, mbPerS?: number, peakRssBytes?: number }>
  seconds: Summary
  mbPerS?: Summary
  /** throughput with the median start-up cost (`ls`) taken out of each run's time */
  mbPerSExcludingStartup?: Summary
  ratioToBaseline?: number
  peakRss: Record<string, number | undefined>
}

function scenario (name: string, timing: string, runs: CommandResult[], bytes: number | undefined, peakRss: Record<string, number | undefined>, startupMs?: number): Scenario {
  const rate = (ms: number): number => bytes! / MB / (ms / 1000)
  return {
    name,
    timing,
    bytes,
    runs: runs.map((r) => ({ ms: r.ms, mbPerS: bytes != null ? rate(r.ms) : undefined, peakRssBytes: r.peakRss })),
    seconds: summarize(runs.map((r) => r.ms / 1000)),
    mbPerS: bytes != null ? summarize(runs.map((r) => rate(r.ms))) : undefined,
    mbPerSExcludingStartup: bytes != null && startupMs != null && runs.every((r) => r.ms > startupMs)
      ? summarize(runs.map((r) => rate(r.ms - startupMs)))
      : undefined,
    peakRss
  }
}

const maxOf = (values: Array<number | undefined>): number | undefined =>
  values.some((v) => v != null) ? Math.max(...values.filter((v): v is number => v != null)) : undefined

const mib = (bytes: number | undefined): string => bytes != null ? (bytes / MIB).toFixed(0) : '?'
const rateText = (s: Summary | undefined): string => s != null ? `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})` : '–'

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

function parseOptions (): { size: number, runs: number } {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      runs: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    console.log('usage: npm run bench [-- --size 256MiB] [--runs 3]   (or BENCH_SIZE, BENCH_RUNS)')
    process.exit(0)
  }
  const size = parseBytes(values.size ?? process.env.BENCH_SIZE ?? DEFAULT_SIZE)
  const runs = Number(values.runs ?? process.env.BENCH_RUNS ?? DEFAULT_RUNS)
  if (size <= 0) throw new Error('--size must be more than 0 bytes')
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got ${values.runs ?? process.env.BENCH_RUNS}`)
  return { size, runs }
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

async function baseline (size: number, runs: number): Promise<Scenario> {
  const receiver = new Proc('raw receiver', [RAW_PEER, 'receive'])
  const addr = await receiver.waitForLine(/^listening on (\S+)/)
  const results: CommandResult[] = []
  for (let run = 1; run <= runs; run++) {
    const sender = await runCommand('raw sender', [RAW_PEER, 'send', addr, String(size)])
    // the sender times itself from its first byte to the receiver's ack, leaving out process start and dial
    const { ms } = JSON.parse(sender.stdout) as { ms: number }
    results.push({ ...sender, ms })
    console.log(`  baseline run ${run}/${runs}: ${(size / MB / (ms / 1000)).toFixed(0)} MB/s`)
  }
  receiver.sample()
  await receiver.stop()
  return scenario('raw libp2p stream (baseline)', 'sender process, first byte to receiver ack; excludes process start and dial',
    results, size, { sender: maxOf(results.map((r) => r.peakRss)), receiver: receiver.peakRss })
}

async function main (): Promise<void> {
  // every process here runs on process.execPath, and libp2p 3 needs Node 22+ (see bin/dfs-peer.js)
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw new Error(`the benchmark needs Node.js 22 or newer, this is ${process.version}; run it with npm run bench (which uses the Node pinned in node_modules)`)
  }
  const { size, runs } = parseOptions()
  const startedAt = new Date()
  const load = loadavg()
  console.log(`dfs bench: ${formatBytes(size)} (${size} bytes), ${runs} run(s), ${cpus().length} CPUs, Node ${process.version}`)
  if (load[0] > cpus().length / 2) {
    console.log(`  warning: load average is ${load[0].toFixed(2)} already; other work on this machine will skew the numbers`)
  }
  workDir = await mkdtemp(join(tmpdir(), 'dfs-bench-'))

  console.log('baseline: one raw libp2p stream between two processes')
  const raw = await baseline(size, runs)

  console.log(`cluster: 1 directory + ${NODE_COUNT} nodes`)
  const directory = new Proc('directory', [PEER_BIN, '--role', 'directory', '--data-dir', join(workDir, 'directory'), '--listen', LISTEN])
  const directoryAddr = await directory.waitForLine(/^listening on (\S+)/)
  const nodes = Array.from({ length: NODE_COUNT }, (_, i) => new Proc(`node ${i + 1}`,
    [PEER_BIN, '--role', 'node', '--directory', directoryAddr, '--data-dir', join(workDir!, `node${i + 1}`), '--listen', LISTEN]))
  // a node prints its address only once the directory has registered it
  await Promise.all(nodes.map(async (node) => await node.waitForLine(/^listening on (\S+)/)))

  // its own home, so a developer's ~/.dfs/config.json cannot change what is measured
  const client = [CLIENT_BIN, '--home', join(workDir, 'client-home'), '--directory', directoryAddr]

  // `ls` does nothing but start, connect and ask one question: the fixed cost inside every CLI timing
  const lsRuns: CommandResult[] = []
  for (let run = 1; run <= runs; run++) lsRuns.push(await runCommand('dfs-client ls', [...client, 'ls']))
  const startupMs = summarize(lsRuns.map((r) => r.ms)).median
  console.log(`  dfs-client ls (start-up cost): ${(startupMs / 1000).toFixed(2)} s median`)

  const uploads: CommandResult[] = []
  const downloads: CommandResult[] = []
  for (let run = 1; run <= runs; run++) {
    // a fresh file each run: the same bytes again would be deduplicated by content ID
    const input = join(workDir, `input-${run}.bin`)
    const output = join(workDir, `output-${run}.bin`)
    const inputHash = await writeRandomFile(input, size)
    const upload = await runCommand('dfs-client upload', [...client, 'upload', input])
    const fileId = upload.stdout.trim()
    if (fileId === '') throw new Error('dfs-client upload printed no file ID')
    const download = await runCommand('dfs-client download', [...client, 'download', fileId, output])
    const outputHash = await sha256File(output)
    if (outputHash !== inputHash) throw new Error(`run ${run}: the downloaded file differs from the upload (sha256 ${outputHash} != ${inputHash})`)
    uploads.push(upload)
    downloads.push(download)
    console.log(`  run ${run}/${runs}: upload ${(size / MB / (upload.ms / 1000)).toFixed(0)} MB/s, download ${(size / MB / (download.ms / 1000)).toFixed(0)} MB/s, sha256 matches`)
    // the nodes keep their copies; only our two copies can go
    await rm(input)
    await rm(output)
  }

  const peers = {
    directory: directory.sample(),
    nodes: nodes.map((node) => node.sample())
  }
  await cleanup()

  const cliTiming = 'wall time of the dfs-client process, spawn to exit (includes Node start, connecting to the directory)'
  const scenarios = [
    raw,
    scenario('dfs-client upload', cliTiming, uploads, size, { client: maxOf(uploads.map((r) => r.peakRss)) }, startupMs),
    scenario('dfs-client download', cliTiming, downloads, size, { client: maxOf(downloads.map((r) => r.peakRss)) }, startupMs),
    scenario('dfs-client ls (start-up cost)', cliTiming, lsRuns, undefined, { client: maxOf(lsRuns.map((r) => r.peakRss)) })
  ]
  for (const s of scenarios) {
    if (s.mbPerS != null) s.ratioToBaseline = s.mbPerS.median / raw.mbPerS!.median
  }

  console.log(`\n${formatBytes(size)}, ${runs} run(s); MB = 1e6 bytes; RSS = peak resident set (VmHWM), MiB`)
  printTable([
    ['scenario', 'seconds (median)', 'MB/s median (min–max)', 'x baseline', 'MB/s excl. start-up', 'peak RSS'],
    ...scenarios.map((s) => [
      s.name,
      s.seconds.median.toFixed(2),
      rateText(s.mbPerS),
      s.ratioToBaseline != null ? s.ratioToBaseline.toFixed(2) : '–',
      rateText(s.mbPerSExcludingStartup),
      Object.entries(s.peakRss).map(([who, bytes]) => `${who} ${mib(bytes)}`).join(', ')
    ])
  ])
  console.log(`cluster peers at the end: directory ${mib(peers.directory)} MiB, nodes ${peers.nodes.map(mib).join(' / ')} MiB`)
  console.log('baseline times from first byte to ack inside the sender; dfs-client times include process start (see the ls row)')

  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    parameters: { sizeBytes: size, runs, nodes: NODE_COUNT, replicas: 1, rawWriteBytes: 256 * 1024, rssPollMs: RSS_POLL_MS },
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
    clusterPeakRssBytes: peers
  }
  const outDir = join(ROOT, 'bench', 'results')
  await mkdir(outDir, { recursive: true })
  // one file per (UTC) day: a later run the same day replaces it; written whole, then renamed
  const outFile = join(outDir, `${startedAt.toISOString().slice(0, 10)}.json`)
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
