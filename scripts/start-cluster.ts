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

const children: ChildProcess[] = []
let stopping = false

/** Start a peer, prefix its log lines with its label, resolve with its address once it is ready. */
async function startPeer (label: string, args: string[]): Promise<string> {
  const [command, ...flags] = binArgv(peerBin)
  const child = spawn(command, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
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

async function stop (code: number): Promise<void> {
  if (stopping) return
  stopping = true
  await Promise.all(children.map(async (child) => {
    if (child.exitCode != null || child.signalCode != null) return
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }))
  process.exit(code)
}

process.on('SIGINT', () => { void stop(0) })
process.on('SIGTERM', () => { void stop(0) })

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
