import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { access, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { binArgv } from '../../src/util/node-command.ts'
import { CLIENT_BIN, Cluster, type PeerProcess } from '../helpers/cluster.ts'
import { stalledPut } from '../helpers/stalled-put.ts'
import { createPeer } from '../../src/net/libp2p.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'

/** Every file under a folder, at any depth. */
async function filesUnder (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
}

async function exists (path: string): Promise<boolean> {
  return await access(path).then(() => true, () => false)
}

/** Its exit code, or a failure naming the peer and its log if it has not exited within `timeoutMs`. */
async function exitedWithin (peer: PeerProcess, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`dfs-peer ${peer.args.join(' ')} did not exit within ${timeoutMs} ms:\n${peer.stderr.slice(-4000)}`)) }, timeoutMs)
  })
  try {
    return await Promise.race([peer.exited, late])
  } finally {
    clearTimeout(timer)
  }
}

describe('clean shutdown: SIGINT and SIGTERM', function () {
  this.timeout(180_000)
  let cluster: Cluster | undefined
  afterEach(async () => {
    await cluster?.stop()
    cluster = undefined
  })

  it('a node stopped during an upload finishes what it is doing, tells the directory, exits 0 and leaves no partial file', async () => {
    cluster = await Cluster.start({ nodes: 3, nodeArgs: ['--shutdown-grace', '10s'] })
    const content = randomBytes(40 * 1024 * 1024)
    const path = join(cluster.root, 'during-shutdown.bin')
    await writeFile(path, content)
    const [command, ...flags] = binArgv(CLIENT_BIN)
    const upload = spawn(command, [...flags, '--directory', cluster.directoryAddr, 'upload', path, '--chunk-size', '1MiB', '--replicas', '1'], { env: { ...process.env, DFS_HOME: cluster.clientHome }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    upload.stdout.setEncoding('utf8').on('data', (t: string) => { out += t })
    upload.stderr.setEncoding('utf8').on('data', (t: string) => { err += t })
    const uploaded = new Promise<number | null>((resolve) => upload.on('close', resolve))

    const victim = cluster.nodes[0]
    const chunks = join(cluster.nodeDataDir(0), 'store', 'chunks')
    await cluster.waitFor('the upload reaching the node', async () => (await filesUnder(chunks)).length > 0, 20_000)
    victim.proc.kill('SIGTERM')
    assert.equal(await victim.exited, 0, victim.stderr)
    assert.match(victim.stderr, /SIGTERM: stopping/)
    assert.match(victim.stderr, /told the directory this node is leaving/)
    assert.match(victim.stderr, /"msg":"stopped"/)
    assert.deepEqual(await filesUnder(join(cluster.nodeDataDir(0), 'store', 'tmp')), [], 'no partial chunk file')
    assert.match(cluster.directory.stderr, new RegExp(`node ${victim.peerId} left \\(clean shutdown\\)`))
    // dead at once, not after --dead-after: nothing more is placed there
    const nodes = await cluster.json(['nodes'])
    assert.equal(nodes.find((n: any) => n.peerId === victim.peerId).alive, false)

    assert.equal(await uploaded, 0, `the upload goes on to the other nodes: ${err}`)
    const id = out.trim()
    // every chunk the victim stored before it left is whole; the rest went elsewhere
    for (const file of await filesUnder(chunks)) {
      const bytes = await readFile(file)
      assert.equal(cidFromDigest(createHash('sha256').update(bytes).digest()), file.split('/').pop(), 'a stored chunk is whole')
    }
    await cluster.startNode(0)
    const down = await cluster.client(['download', id, '-'])
    assert.equal(down.code, 0, down.stderr)
    assert.ok(down.stdoutBytes.equals(content), 'byte for byte')
  })

  it('waits for a running request up to the grace period, and a second signal exits at once', async () => {
    cluster = await Cluster.start({ nodes: 1, nodeArgs: ['--shutdown-grace', '60s'] })
    const peer = await createPeer({})
    try {
      const { directory } = await stalledPut(cluster, peer)
      const tmp = join(cluster.nodeDataDir(0), 'store', 'tmp')
      await cluster.waitFor('the chunk being written', async () => (await filesUnder(tmp)).length === 1, 5_000)

      const node = cluster.nodes[0]
      node.proc.kill('SIGTERM')
      await node.waitFor(/SIGTERM: stopping/)
      // the stalled PUT is still running: the node waits for it. Time passes on purpose here, after the
      // stop has begun: nothing after the wait (telling the directory, exiting) may happen meanwhile
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      assert.equal(node.proc.exitCode, null, 'still finishing the request in flight')
      assert.doesNotMatch(node.stderr, /told the directory this node is leaving|"msg":"stopped"/)
      assert.equal((await filesUnder(tmp)).length, 1, 'the request in flight still has its partial chunk')
      const second = Date.now()
      node.proc.kill('SIGTERM')
      assert.equal(await node.exited, 130)
      assert.ok(Date.now() - second < 3_000, 'a second signal exits at once')
      assert.match(node.stderr, /SIGTERM again: exiting at once/)
      directory.abort(new Error('done'))
    } finally {
      await peer.stop()
    }
  })

  it('the directory answers what it is asked, closes its index and exits 0', async () => {
    cluster = await Cluster.start({ nodes: 1 })
    const path = join(cluster.root, 'kept.txt')
    await writeFile(path, 'kept\n')
    assert.equal((await cluster.client(['upload', path])).code, 0)
    const index = join(cluster.root, 'directory', 'index.sqlite')
    assert.ok(await exists(`${index}-wal`), 'the index is open, with its WAL')
    cluster.directory.proc.kill('SIGINT')
    assert.equal(await cluster.directory.exited, 0, cluster.directory.stderr)
    assert.match(cluster.directory.stderr, /"msg":"stopped"/)
    assert.equal(await exists(`${index}-wal`), false, 'closed: the WAL is checkpointed into the index and removed')
    await cluster.restartDirectory()
    const down = await cluster.client(['download', 'kept.txt', '-'])
    assert.equal(down.stdout, 'kept\n')
  })

  it('a node stopped together with the directory, as a terminal\'s Ctrl-C does, never reports a membership refusal', async () => {
    // the directory closes its connections while the nodes say they are leaving: the race comes out differently each time
    for (let round = 1; round <= 4; round++) {
      cluster = await Cluster.start({ nodes: 3, deadAfter: '1s' })
      const peers = [cluster.directory, ...cluster.nodes]
      for (const peer of peers) peer.proc.kill('SIGTERM')
      for (const peer of peers) assert.equal(await exitedWithin(peer, 30_000), 0, peer.stderr)
      for (const node of cluster.nodes) {
        assert.match(node.stderr, /told the directory this node is leaving|could not tell the directory this node is leaving/, `round ${round}`)
        assert.doesNotMatch(node.stderr, /not members of the cluster|refused this node/, `round ${round}: a shutdown reported as a refusal`)
      }
      await cluster.stop()
      cluster = undefined
    }
  })

  it('Ctrl-C during a download stops it and leaves no partial file; exit 130', async () => {
    cluster = await Cluster.start({ nodes: 2 })
    const path = join(cluster.root, 'big.bin')
    await writeFile(path, randomBytes(64 * 1024 * 1024))
    assert.equal((await cluster.client(['upload', path, '--replicas', '1'])).code, 0)
    const into = join(cluster.root, 'downloads')
    const { mkdir } = await import('node:fs/promises')
    await mkdir(into)
    const [command, ...flags] = binArgv(CLIENT_BIN)
    const download = spawn(command, [...flags, '--directory', cluster.directoryAddr, 'download', 'big.bin', into], { env: { ...process.env, DFS_HOME: cluster.clientHome }, stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    download.stderr.setEncoding('utf8').on('data', (t: string) => { err += t })
    const exited = new Promise<number | null>((resolve) => download.on('close', resolve))
    await cluster.waitFor('the partial file', async () => (await readdir(into)).some((name) => name.endsWith('.dfs-part')), 20_000)
    download.kill('SIGINT')
    assert.equal(await exited, 130, err)
    assert.match(err, /^error: interrupted by SIGINT: nothing was kept$/m)
    assert.deepEqual(await readdir(into), [], 'no partial file and no file')
  })
})
