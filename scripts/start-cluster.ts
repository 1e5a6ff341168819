/**
 * `npm start`: a local cluster in the foreground — one directory and three
 * storage nodes on 127.0.0.1, data under .dfs-cluster/ — and the client's
 * default config pointed at it, so `npx dfs-client upload FILE` just works.
 * Fixed ports and kept keys mean the same address every time.
 *
 * Settings (environment): DFS_CLUSTER_DIR (default ./.dfs-cluster),
 * DFS_CLUSTER_PORT (directory port, nodes use the next three; default 4010),
 * DFS_CLUSTER_NODES (default 3), DFS_CLUSTER_HTTP_PORT (the status page, default
 * 8080), DFS_HOME (client config folder, default ~/.dfs).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { updateClientConfig } from '../src/config/config.ts'
import { clientHome } from '../src/config/client-home.ts'
import { binArgv } from '../src/util/node-command.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const peerBin = join(root, 'bin', 'dfs-peer.js')
const dataDir = resolve(process.env.DFS_CLUSTER_DIR ?? join(root, '.dfs-cluster'))
const basePort = Number(process.env.DFS_CLUSTER_PORT ?? 4010)
const nodeCount = Number(process.env.DFS_CLUSTER_NODES ?? 3)
const httpPort = Number(process.env.DFS_CLUSTER_HTTP_PORT ?? 8080)

interface Peer {
  label: string
  child: ChildProcess
  /** resolves with the exit code, or the signal that ended it */
  exited: Promise<number | NodeJS.Signals | null>
  /** sent SIGTERM to stop: another one makes it exit at once */
  stopping: boolean
}

const peers: Peer[] = []
let stopping = false

/**
 * Start a peer, prefix its log lines with its label, resolve with its address once it is ready.
 * Each peer runs in a process group of its own, so a terminal's Ctrl-C reaches only this script,
 * which then stops the peers with one signal each, nodes first; a pipe on its stdin that only this
 * script holds stops it (--stop-on-stdin-close) should the script be killed outright.
 */
async function startPeer (label: string, args: string[]): Promise<string> {
  const [command, ...flags] = binArgv(peerBin)
  const child = spawn(command, [...flags, ...args, '--stop-on-stdin-close'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => { child.once('exit', (code, signal) => { resolve(signal ?? code) }) })
  peers.push({ label, child, exited, stopping: false })
  let pending = ''
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    pending += text
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) process.stderr.write(`[${label}] ${readable(line)}\n`)
  })
  child.on('exit', (code, signal) => {
    if (stopping) return
    process.stderr.write(`[${label}] exited unexpectedly (${signal ?? `code ${code}`}); stopping the cluster\n`)
    void stop(1)
  })
  return await new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      out += text
      const match = /listening on (\S+)/.exec(out)
      if (match != null) resolve(match[1])
    })
    child.on('exit', () => { reject(new Error(`${label} did not start`)) })
  })
}

/** The peers log JSON lines (pino); a person watching npm start gets them as text. */
function readable (line: string): string {
  try {
    const entry = JSON.parse(line)
    if (typeof entry.msg !== 'string') return line
    return `${String(entry.time ?? '').slice(11, 19)} ${String(entry.level ?? '').toUpperCase().padEnd(5)} ${entry.msg}`
  } catch {
    return line
  }
}

/** SIGTERM to each peer still running, and its exit; true when all of them stopped cleanly (exit 0). */
async function stopPeers (group: Peer[]): Promise<boolean> {
  const running = group.filter(({ child }) => child.exitCode == null && child.signalCode == null)
  const outcomes = await Promise.all(running.map(async (peer) => {
    const { label, child, exited } = peer
    peer.stopping = true
    child.kill('SIGTERM')
    const outcome = await exited
    if (outcome !== 0) process.stderr.write(`[${label}] exited with ${typeof outcome === 'string' ? outcome : `code ${outcome}`} while stopping\n`)
    return outcome === 0
  }))
  return outcomes.every(Boolean)
}

/** When the stop began: a second Ctrl-C well after it makes the peers exit at once. */
let stoppingSince = 0
/** npm passes the terminal's SIGINT on to this script too, a moment after the terminal does: not a second Ctrl-C. */
const REPEAT_SIGNAL_MS = 1_000

/** Nodes first, so that each can tell the directory it is leaving; then the directory. */
async function stop (code: number): Promise<void> {
  if (stopping) return
  stopping = true
  stoppingSince = Date.now()
  const nodesClean = await stopPeers(peers.filter((peer) => peer.label !== 'directory'))
  const directoryClean = await stopPeers(peers.filter((peer) => peer.label === 'directory'))
  process.exit(nodesClean && directoryClean ? code : Math.max(code, 1))
}

/** The first signal stops the cluster cleanly; a second one, as to a peer, makes the peers still stopping exit at once. */
function onSignal (): void {
  if (!stopping) {
    void stop(0)
    return
  }
  if (Date.now() - stoppingSince < REPEAT_SIGNAL_MS) return
  for (const { child, stopping } of peers) {
    if (stopping && child.exitCode == null && child.signalCode == null) child.kill('SIGTERM')
  }
}

process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

try {
  const directory = await startPeer('directory', ['--role', 'directory', '--open', '--data-dir', join(dataDir, 'directory'), '--listen', `/ip4/127.0.0.1/tcp/${basePort}`, '--http', `/ip4/127.0.0.1/tcp/${httpPort}`])
  const home = clientHome()
  const configPath = await updateClientConfig(home, { directory })
  for (let i = 1; i <= nodeCount; i++) {
    await startPeer(`node${i}`, ['--role', 'node', '--directory', directory, '--data-dir', join(dataDir, `node${i}`), '--listen', `/ip4/127.0.0.1/tcp/${basePort + i}`])
  }
  process.stdout.write(`dfs cluster running: 1 directory and ${nodeCount} nodes, data in ${dataDir}
directory: ${directory}
(recorded in ${configPath}, so dfs-client needs no flags)
status page: http://127.0.0.1:${httpPort}/  (metrics at /metrics)

try, in another terminal:
  npx dfs-client upload README.md
  npx dfs-client ls
  npx dfs-client download README.md /tmp/
  curl -o /tmp/README.copy http://127.0.0.1:${httpPort}/files/README.md

Ctrl-C stops the cluster; npm start again brings it back with the same data and address.
`)
} catch (err: any) {
  process.stderr.write(`error: ${err.message}\n`)
  await stop(1)
}
