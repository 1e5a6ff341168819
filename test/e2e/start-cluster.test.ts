import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { access, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT, freePort, runClient, waitUntil, type Cluster } from '../helpers/cluster.ts'
import { stalledPut } from '../helpers/stalled-put.ts'
import { createPeer } from '../../src/net/libp2p.ts'
import { tempDir } from '../helpers/tmp.ts'

/**
 * Run `npm start`'s script until it prints the directory address. `viaNpm`: run `npm start` itself, as
 * the leader of a process group of its own, the way a terminal runs a command (Ctrl-C signals the group).
 */
async function startCluster (env: NodeJS.ProcessEnv, viaNpm = false): Promise<{ directory: string, pid: number, out: () => string, err: () => string, exited: Promise<number | NodeJS.Signals | null>, stop: () => Promise<number | NodeJS.Signals | null> }> {
  const proc = viaNpm
    ? spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: 'false', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'start-cluster.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stderr.setEncoding('utf8').on('data', (t: string) => { err += t })
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => proc.on('exit', (code, signal) => { resolve(signal ?? code) }))
  const directory = await new Promise<string>((resolve, reject) => {
    proc.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t
      const match = /^directory: (\S+)$/m.exec(out)
      if (match != null && out.includes('Ctrl-C')) resolve(match[1])
    })
    void exited.then(() => { reject(new Error(`start-cluster exited:\n${out}\n${err}`)) })
  })
  return {
    directory,
    pid: proc.pid!,
    exited,
    out: () => out,
    err: () => err,
    stop: async () => {
      proc.kill('SIGINT')
      return await exited
    }
  }
}

/** A base port with the three after it free too. */
async function freePortRange (): Promise<number> {
  for (;;) {
    const base = await freePort()
    if (base > 65000) continue
    const { createServer } = await import('node:net')
    const free = await Promise.all([1, 2, 3].map(async (i) => await new Promise<boolean>((resolve) => {
      const server = createServer().once('error', () => { resolve(false) }).listen(base + i, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
    })))
    if (free.every(Boolean)) return base
  }
}

/** The processes whose command line names `dir`: the peers of a cluster kept there. */
async function processesUsing (dir: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name))
  const using = await Promise.all(pids.map(async (pid) => {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    return cmdline.split('\0').some((arg) => arg.startsWith(dir)) ? Number(pid) : undefined
  }))
  return using.filter((pid) => pid != null)
}

async function waitUntilGone (dir: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while ((await processesUsing(dir)).length > 0) {
    if (Date.now() > deadline) throw new Error(`peers still running in ${dir} after ${timeoutMs} ms: ${(await processesUsing(dir)).join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Log lines of one peer, as the start script prints them (`[node1] 03:04:05 INFO  ...`). */
function linesOf (log: string, label: string): string[] {
  return log.split('\n').filter((line) => line.startsWith(`[${label}] `))
}

describe('npm start: a local cluster the client finds with no flags', function () {
  this.timeout(120_000)

  it('records the directory in the client config, and comes back with the same address and data', async () => {
    const dir = await tempDir()
    try {
      const httpPort = await freePort()
      const env = { DFS_CLUSTER_DIR: join(dir.path, 'cluster'), DFS_CLUSTER_PORT: String(await freePortRange()), DFS_CLUSTER_HTTP_PORT: String(httpPort), DFS_HOME: join(dir.path, 'home') }
      const first = await startCluster(env)
      // the page's address and one example each of upload and download
      assert.match(first.out(), new RegExp(`^status page: http://127\\.0\\.0\\.1:${httpPort}/`, 'm'))
      assert.match(first.out(), /^ {2}npx dfs-client upload \S+$/m)
      assert.match(first.out(), /^ {2}npx dfs-client download \S+ \S+$/m)
      const page = await fetch(`http://127.0.0.1:${httpPort}/`)
      assert.equal(page.status, 200)
      assert.match(await page.text(), /<title>dfs cluster status<\/title>/)
      // the peers' JSON log lines, shown as text
      assert.match(first.err(), /^\[directory\] \d\d:\d\d:\d\d WARN {2}THIS CLUSTER IS OPEN/m)
      assert.deepEqual(JSON.parse(await readFile(join(env.DFS_HOME, 'config.json'), 'utf8')), { directory: first.directory })
      await writeFile(join(dir.path, 'note.txt'), 'kept across restarts\n')
      const up = await runClient(['upload', join(dir.path, 'note.txt')], { env: { DFS_HOME: env.DFS_HOME, DFS_DIRECTORY: '' } })
      assert.equal(up.code, 0, up.stderr)
      const nodes = JSON.parse((await runClient(['nodes', '--json'], { env: { DFS_HOME: env.DFS_HOME } })).stdout)
      assert.equal(nodes.length, 3)
      const overHttp = await fetch(`http://127.0.0.1:${httpPort}/files/note.txt`)
      assert.equal(await overHttp.text(), 'kept across restarts\n')
      assert.equal(await first.stop(), 0, 'Ctrl-C stops it cleanly')

      const second = await startCluster(env)
      try {
        assert.equal(second.directory, first.directory, 'same key and port: same address')
        const down = await runClient(['download', 'note.txt', '-'], { env: { DFS_HOME: env.DFS_HOME } })
        assert.equal(down.code, 0, down.stderr)
        assert.equal(down.stdout, 'kept across restarts\n')
      } finally {
        assert.equal(await second.stop(), 0)
      }
    } finally {
      await dir.cleanup()
    }
  })
  it('Ctrl-C in a terminal (SIGINT to npm start\'s process group) stops every peer with one signal, nodes first', async () => {
    const dir = await tempDir()
    try {
      const clusterDir = join(dir.path, 'cluster')
      const env = { DFS_CLUSTER_DIR: clusterDir, DFS_CLUSTER_PORT: String(await freePortRange()), DFS_CLUSTER_HTTP_PORT: String(await freePort()), DFS_HOME: join(dir.path, 'home') }
      const cluster = await startCluster(env, true)
      assert.equal((await processesUsing(clusterDir)).length, 4, 'a directory and three nodes')
      process.kill(-cluster.pid, 'SIGINT')
      assert.equal(await cluster.exited, 0, cluster.err())
      const log = cluster.err()
      assert.doesNotMatch(log, /again: exiting at once/, 'a peer got a second signal')
      for (const label of ['directory', 'node1', 'node2', 'node3']) {
        const lines = linesOf(log, label)
        assert.equal(lines.filter((line) => / INFO {2}\w+: stopping \(/.test(line)).length, 1, `${label} got one signal:\n${lines.join('\n')}`)
        assert.ok(lines.some((line) => line.endsWith(' INFO  stopped')), `${label} stopped cleanly:\n${lines.join('\n')}`)
        assert.doesNotMatch(lines.join('\n'), /exited with/, `${label} exited 0`)
      }
      for (const label of ['node1', 'node2', 'node3']) {
        assert.ok(linesOf(log, label).some((line) => line.endsWith('told the directory this node is leaving')), `${label} told the directory`)
      }
      assert.equal(linesOf(log, 'directory').filter((line) => /node \S+ left \(clean shutdown\)$/.test(line)).length, 3)
      // the directory stops only once every node has
      const lines = log.split('\n')
      const directoryStops = lines.findIndex((line) => line.startsWith('[directory] ') && / stopping \(/.test(line))
      const lastNodeStopped = Math.max(...['node1', 'node2', 'node3'].map((label) => lines.findIndex((line) => line.startsWith(`[${label}] `) && line.endsWith(' INFO  stopped'))))
      assert.ok(lastNodeStopped >= 0 && lastNodeStopped < directoryStops, 'nodes first, then the directory')
      await waitUntilGone(clusterDir)
    } finally {
      // peers left behind by a failure are this test's own
      for (const pid of await processesUsing(dir.path)) process.kill(pid, 'SIGKILL')
      await dir.cleanup()
    }
  })

  it('a second Ctrl-C, while a node waits for a request in flight, makes it exit at once', async () => {
    const dir = await tempDir()
    const peer = await createPeer({})
    try {
      const clusterDir = join(dir.path, 'cluster')
      const env = { DFS_CLUSTER_DIR: clusterDir, DFS_CLUSTER_NODES: '1', DFS_CLUSTER_PORT: String(await freePortRange()), DFS_CLUSTER_HTTP_PORT: String(await freePort()), DFS_HOME: join(dir.path, 'home') }
      const cluster = await startCluster(env, true)
      const nodes = JSON.parse((await runClient(['nodes', '--json'], { env: { DFS_HOME: env.DFS_HOME } })).stdout)
      // a PUT that stalls mid-chunk: the node's clean stop waits for it (up to its 10 s grace)
      const { directory } = await stalledPut({ directoryAddr: cluster.directory, nodes: [{ addr: nodes[0].addrs[0] }] } as unknown as Cluster, peer)
      const tmp = join(clusterDir, 'node1', 'store', 'tmp')
      await waitUntil('the chunk being written', async () => (await readdir(tmp).catch(() => [])).length === 1)
      process.kill(-cluster.pid, 'SIGINT')
      const firstAt = Date.now()
      await waitUntil('the node stopping', async () => /^\[node1\] .* SIGTERM: stopping/m.test(cluster.err()))
      // a person's second Ctrl-C comes later than npm's passing on of the first, which the script ignores
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      assert.doesNotMatch(cluster.err(), /^\[node1\] .* INFO {2}stopped$/m, 'still waiting for the stalled PUT')
      const secondAt = Date.now()
      process.kill(-cluster.pid, 'SIGINT')
      assert.equal(await cluster.exited, 1, cluster.err())
      assert.ok(Date.now() - secondAt < 5_000 && Date.now() - firstAt < 9_000, 'at once, not after the grace period')
      const log = cluster.err()
      assert.match(log, /^\[node1\] .* SIGTERM again: exiting at once$/m)
      assert.match(log, /^\[node1\] exited with code 130 while stopping$/m)
      // the directory was not stopping yet: it still gets one signal, and stops cleanly
      assert.equal(linesOf(log, 'directory').filter((line) => / stopping \(/.test(line)).length, 1)
      assert.match(log, /^\[directory\] .* INFO {2}stopped$/m)
      directory.abort(new Error('done'))
      await waitUntilGone(clusterDir)
    } finally {
      await peer.stop()
      for (const pid of await processesUsing(dir.path)) process.kill(pid, 'SIGKILL')
      await dir.cleanup()
    }
  })

  it('peers stop cleanly even when the start script is killed outright (SIGKILL)', async () => {
    const dir = await tempDir()
    try {
      const clusterDir = join(dir.path, 'cluster')
      const env = { DFS_CLUSTER_DIR: clusterDir, DFS_CLUSTER_PORT: String(await freePortRange()), DFS_CLUSTER_HTTP_PORT: String(await freePort()), DFS_HOME: join(dir.path, 'home') }
      const cluster = await startCluster(env)
      assert.equal((await processesUsing(clusterDir)).length, 4, 'a directory and three nodes')
      const wal = join(clusterDir, 'directory', 'index.sqlite-wal')
      assert.ok(await access(wal).then(() => true, () => false), 'the index is open, with its WAL')
      process.kill(cluster.pid, 'SIGKILL')
      assert.equal(await cluster.exited, 'SIGKILL')
      // each peer sees its stdin close when the script is gone, and stops as on SIGTERM
      await waitUntilGone(clusterDir)
      assert.equal(await access(wal).then(() => true, () => false), false, 'the directory closed its index: a clean stop')
    } finally {
      for (const pid of await processesUsing(dir.path)) process.kill(pid, 'SIGKILL')
      await dir.cleanup()
    }
  })
})
