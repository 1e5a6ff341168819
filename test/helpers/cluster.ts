import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { tempDir } from './tmp.ts'
import { binArgv } from '../../src/util/node-command.ts'
import { peerIdOfDir } from '../../src/net/peer-key.ts'

/** The project root (tests run from dist/test/helpers). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const PEER_BIN = join(ROOT, 'bin', 'dfs-peer.js')
export const CLIENT_BIN = join(ROOT, 'bin', 'dfs-client.js')

/** A port that was free a moment ago, for peers that must come back on the same address. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => { resolve(port) })
    })
    server.on('error', reject)
  })
}

/**
 * Poll until `check` holds, or fail after `timeoutMs` saying what was awaited
 * (and `context()`, e.g. a log): tests wait for the event itself, never a fixed time.
 */
export async function waitUntil (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, intervalMs = 100, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context != null ? `\n${context()}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** A real `dfs-peer` process. */
export class PeerProcess {
  stdout = ''
  stderr = ''
  readonly exited: Promise<number | null>

  private constructor (readonly proc: ChildProcess, readonly args: string[]) {
    proc.stdout!.setEncoding('utf8').on('data', (text: string) => { this.stdout += text })
    proc.stderr!.setEncoding('utf8').on('data', (text: string) => { this.stderr += text })
    this.exited = new Promise((resolve) => { proc.on('exit', (code) => { resolve(code) }) })
  }

  static spawn (args: string[], env: NodeJS.ProcessEnv = {}): PeerProcess {
    const [command, ...flags] = binArgv(PEER_BIN)
    const proc = spawn(command, [...flags, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    return new PeerProcess(proc, args)
  }

  /** Spawn and wait for the first `listening on` line. */
  static async start (args: string[], env?: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<PeerProcess> {
    const peer = PeerProcess.spawn(args, env)
    await peer.waitFor(/listening on /, timeoutMs)
    return peer
  }

  /** Resolves when stdout or stderr matches; rejects if the process exits first or time runs out. */
  async waitFor (pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let exited = false
    void this.exited.then(() => { exited = true })
    while (!pattern.test(this.stdout) && !pattern.test(this.stderr)) {
      if (exited) throw new Error(`dfs-peer ${this.args.join(' ')} exited before printing ${pattern}:\n${this.stdout}\n${this.stderr}`)
      if (Date.now() > deadline) throw new Error(`dfs-peer ${this.args.join(' ')} did not print ${pattern} within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  /** The first address it printed, with /p2p/<peer id>. */
  get addr (): string {
    const match = /listening on (\S+)/.exec(this.stdout)
    if (match == null) throw new Error('peer has not printed its address')
    return match[1]
  }

  get peerId (): string {
    return this.addr.split('/p2p/')[1]
  }

  async stop (): Promise<void> {
    if (this.proc.exitCode != null || this.proc.signalCode != null) return
    this.proc.kill('SIGTERM')
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000)
    await this.exited
    clearTimeout(timer)
  }

  async kill9 (): Promise<void> {
    if (this.proc.exitCode != null || this.proc.signalCode != null) return
    this.proc.kill('SIGKILL')
    await this.exited
  }
}

export interface ClientResult {
  code: number | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
  /** peak resident set (VmHWM) in bytes, sampled while it ran */
  peakRss: number
}

/**
 * A process's peak resident set so far (VmHWM), in bytes; 0 once it has gone or is going (or never
 * started). A status that cannot be read or parsed throws: a memory bound must not pass on a reading of 0.
 */
export function peakRss (pid: number | undefined): number {
  if (pid == null) return 0
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return 0
    throw err
  }
  if (!/^Pid:\s+\d+$/m.test(status)) throw new Error(`/proc/${pid}/status is not a process status:\n${status.slice(0, 300)}`)
  // a process exiting (or exited, not yet reaped) has given back its memory: no VmHWM line
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
  return match == null ? 0 : Number(match[1]) * 1024
}

export interface ClientOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs?: number
  /** the largest file the client may write, in bytes (at least: see runClient) */
  fileSizeLimit?: number
}

/** Run `dfs-client` to completion. */
export async function runClient (args: string[], options: ClientOptions = {}): Promise<ClientResult> {
  let [command, ...flags] = binArgv(CLIENT_BIN)
  if (options.fileSizeLimit != null) {
    // through the shell's ulimit (RLIMIT_FSIZE, in 512-byte blocks in dash; bash counts KiB, so twice
    // as much there): a write past it fails with EFBIG, as on a full disk, and Node ignores SIGXFSZ
    flags = ['-c', 'ulimit -f "$0" && exec "$@"', String(Math.ceil(options.fileSizeLimit / 512)), command, ...flags]
    command = '/bin/sh'
  }
  const proc = spawn(command, [...flags, ...args], { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  let stderr = ''
  proc.stdout.on('data', (b: Buffer) => out.push(b))
  proc.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t })
  const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  let peak = 0
  let samplingError: unknown
  const sampler = setInterval(() => {
    try { peak = Math.max(peak, peakRss(proc.pid)) } catch (err) { samplingError ??= err }
  }, 20)
  const code = await new Promise<number | null>((resolve) => { proc.on('close', (c) => { resolve(c) }) })
  clearTimeout(timer)
  clearInterval(sampler)
  if (samplingError != null) throw samplingError
  const stdoutBytes = Buffer.concat(out)
  return { code, stdout: stdoutBytes.toString('utf8'), stderr, stdoutBytes, peakRss: peak }
}

/** A directory and storage nodes as real processes, each with its own temporary data dir. */
export class Cluster {
  nodes: PeerProcess[] = []
  /** flags every node gets */
  nodeExtra: string[] = []

  private constructor (readonly root: string, private readonly cleanupDir: () => Promise<void>, public directory: PeerProcess, readonly directoryPort: number, readonly directoryExtra: string[], readonly directoryEnv?: NodeJS.ProcessEnv) {}

  /**
   * `deadAfter` defaults to 3s here (heartbeats every second), `repairAfter`
   * to the directory's own default; `nodeArgs` go to every node. `access`
   * gives the directory's access flags from the nodes' peer IDs (their keys
   * are made first): `--open` unless given (the security tests give
   * allowlists). `directoryEnv` is added to the directory's environment
   * (NODE_OPTIONS, for one).
   */
  static async start (options: { nodes?: number, deadAfter?: string, repairAfter?: string, gcAfter?: string, nodeArgs?: string[], directoryArgs?: string[], directoryEnv?: NodeJS.ProcessEnv, access?: (nodeIds: string[]) => string[] } = {}): Promise<Cluster> {
    const dir = await tempDir('dfs-cluster-')
    const port = await freePort()
    const nodeIds = await Promise.all(Array.from({ length: options.nodes ?? 3 }, async (_, i) => await peerIdOfDir(join(dir.path, `node${i}`))))
    const extra = [...(options.access?.(nodeIds) ?? ['--open']), '--dead-after', options.deadAfter ?? '3s', ...(options.repairAfter != null ? ['--repair-after', options.repairAfter] : []), ...(options.gcAfter != null ? ['--gc-after', options.gcAfter] : []), ...(options.directoryArgs ?? [])]
    const directory = await PeerProcess.start(Cluster.directoryArgs(dir.path, port, extra), options.directoryEnv)
    const cluster = new Cluster(dir.path, dir.cleanup, directory, port, extra, options.directoryEnv)
    try {
      cluster.nodeExtra = options.nodeArgs ?? []
      await Promise.all(Array.from({ length: options.nodes ?? 3 }, async (_, i) => { await cluster.startNode(i) }))
    } catch (err) {
      await cluster.stop()
      throw err
    }
    return cluster
  }

  private static directoryArgs (root: string, port: number, extra: string[]): string[] {
    return ['--role', 'directory', '--data-dir', join(root, 'directory'), '--listen', `/ip4/127.0.0.1/tcp/${port}`, ...extra]
  }

  get directoryAddr (): string {
    return this.directory.addr
  }

  nodeDataDir (i: number): string {
    return join(this.root, `node${i}`)
  }

  nodeArgs (i: number): string[] {
    return ['--role', 'node', '--directory', this.directoryAddr, '--data-dir', this.nodeDataDir(i), '--listen', '/ip4/127.0.0.1/tcp/0', ...this.nodeExtra]
  }

  async startNode (i: number): Promise<PeerProcess> {
    const node = await PeerProcess.start(this.nodeArgs(i))
    this.nodes[i] = node
    return node
  }

  /** Start the directory again on the same port and data dir (same peer ID, so the same address). */
  /** `moreArgs`: flags added for this start, e.g. another --allow-read. */
  async restartDirectory (moreArgs: string[] = []): Promise<void> {
    this.directory = await PeerProcess.start(Cluster.directoryArgs(this.root, this.directoryPort, [...this.directoryExtra, ...moreArgs]), this.directoryEnv)
  }

  /** A client home folder inside the cluster's temp dir, so tests never touch ~/.dfs. */
  get clientHome (): string {
    return join(this.root, 'client-home')
  }

  async client (args: string[], options: ClientOptions = {}): Promise<ClientResult> {
    return await runClient(['--directory', this.directoryAddr, ...args], { ...options, env: { DFS_HOME: this.clientHome, ...options.env } })
  }

  /** Write `content` to a file called `name` in the cluster's folder and upload it with `args`; its file ID. */
  async upload (name: string, content: Buffer | string, args: string[] = []): Promise<string> {
    const path = join(this.root, name)
    await writeFile(path, content)
    const up = await this.client(['upload', path, ...args])
    assert.equal(up.code, 0, up.stderr)
    return up.stdout.trim()
  }

  /** Poll until `check` holds (or fail after `timeoutMs`, saying what was awaited and what the directory logged). */
  async waitFor (what: string, check: () => Promise<boolean>, timeoutMs = 30_000, intervalMs = 250): Promise<void> {
    await waitUntil(what, check, timeoutMs, intervalMs, () => `directory log:\n${this.directory.stderr.slice(-3000)}`)
  }

  async json (args: string[]): Promise<any> {
    const result = await this.client([...args, '--json'])
    if (result.code !== 0) throw new Error(`dfs-client ${args.join(' ')} failed: ${result.stderr}`)
    return JSON.parse(result.stdout)
  }

  async stop (): Promise<void> {
    await Promise.all([this.directory, ...this.nodes].filter((p) => p != null).map(async (p) => { await p.stop() }))
    await this.cleanupDir()
  }
}
