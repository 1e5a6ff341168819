import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Cluster, PeerProcess, freePort, runClient } from '../helpers/cluster.ts'
import { tempDir } from '../helpers/tmp.ts'
import { peerIdOfDir } from '../../src/net/peer-key.ts'

async function waitUntil (check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('end to end: crashes, restarts and corruption', function () {
  this.timeout(180_000)
  let cluster: Cluster | undefined
  afterEach(async () => { await cluster?.stop() })

  async function upload (c: Cluster, name: string, content: Buffer): Promise<string> {
    return await c.upload(name, content, ['--chunk-size', '1MiB'])
  }

  it('keeps every acknowledged file after the directory is killed with -9 and restarted', async () => {
    cluster = await Cluster.start({ nodes: 2 })
    const files = new Map<string, Buffer>()
    for (let i = 0; i < 5; i++) {
      const content = randomBytes(1024 * 1024 * (i + 1) + i)
      files.set(await upload(cluster, `file${i}.bin`, content), content)
    }
    const addr = cluster.directoryAddr
    await cluster.directory.kill9()
    await cluster.restartDirectory()
    assert.equal(cluster.directoryAddr, addr, 'same key, same port: the same address')
    for (const [id, content] of files) {
      const down = await cluster.client(['download', id, '-'])
      assert.equal(down.code, 0, down.stderr)
      assert.deepEqual(down.stdoutBytes, content)
    }
    const names = JSON.parse((await cluster.client(['ls', '--json'])).stdout).map((f: any) => f.name)
    assert.deepEqual(names, ['file0.bin', 'file1.bin', 'file2.bin', 'file3.bin', 'file4.bin'])
    // the nodes noticed and registered again on their own
    await waitUntil(async () => cluster!.directory.stderr.split('registered').length - 1 >= 2)
  })

  it('serves a node\'s chunks again after the node restarts and re-registers', async () => {
    cluster = await Cluster.start({ nodes: 1 })
    const content = randomBytes(3 * 1024 * 1024)
    const id = await upload(cluster, 'kept.bin', content)
    const oldAddr = cluster.nodes[0].addr
    await cluster.nodes[0].kill9()
    const gone = await cluster.client(['download', id, join(cluster.root, 'gone.bin')])
    assert.equal(gone.code, 1, 'with the only node down the download fails')
    // chunks are fetched several at once: whichever failed first is named
    assert.match(gone.stderr, /^error: cannot get chunk [0-2] \(/)
    await assert.rejects(readFile(join(cluster.root, 'gone.bin')), { code: 'ENOENT' })

    await cluster.startNode(0)
    assert.notEqual(cluster.nodes[0].addr, oldAddr, 'it came back on another port')
    const down = await cluster.client(['download', id, '-'])
    assert.equal(down.code, 0, down.stderr)
    assert.deepEqual(down.stdoutBytes, content)
  })

  it('detects a chunk altered on a node\'s disk: an error, never wrong bytes', async () => {
    cluster = await Cluster.start({ nodes: 1 })
    const content = randomBytes(2 * 1024 * 1024 + 5)
    const id = await upload(cluster, 'victim.bin', content)
    const stat = JSON.parse((await cluster.client(['stat', id, '--json'])).stdout)
    const chunkId: string = stat.chunks[1].id
    const chunkFile = join(cluster.nodeDataDir(0), 'store', 'chunks', chunkId.slice(-2), chunkId)
    const bytes = await readFile(chunkFile)
    bytes[1000] ^= 0xff
    await writeFile(chunkFile, bytes)

    const dest = join(cluster.root, 'dest')
    await mkdir(dest)
    const down = await cluster.client(['download', id, dest])
    assert.equal(down.code, 1)
    assert.match(down.stderr, /^error: cannot get chunk 1 .*corrupt/)
    assert.deepEqual(await readdir(dest), [], 'nothing appears at DEST, not even a temporary file')
    const toStdout = await cluster.client(['download', id, '-'])
    assert.equal(toStdout.code, 1)
    assert.ok(toStdout.stdoutBytes.byteLength <= 1024 * 1024, 'only the verified chunk before it was written')
    assert.deepEqual(toStdout.stdoutBytes, content.subarray(0, toStdout.stdoutBytes.byteLength))
  })

  it('a download whose writes fail part way (a full disk) stops with one clear error and leaves nothing', async () => {
    cluster = await Cluster.start({ nodes: 3 })
    const content = randomBytes(24 * 1024 * 1024)
    const id = await upload(cluster, 'big.bin', content)
    const dest = join(cluster.root, 'full-disk')
    await mkdir(dest)
    // the client may write files up to 6 MiB (12 MiB under bash): chunks past that fail with EFBIG
    // while others are still being fetched and written
    const down = await cluster.client(['download', id, dest], { fileSizeLimit: 6 * 1024 * 1024, timeoutMs: 60_000 })
    assert.equal(down.code, 1, `exit 1, not killed by the timeout: ${down.stderr}`)
    assert.match(down.stderr, /^error: cannot write .*big\.bin: the file is larger than this system allows\n/)
    assert.equal(down.stderr.trim().split('\n').length, 1, 'one line, no stack trace')
    assert.deepEqual(await readdir(dest), [], 'no partial file')
    // and the same client, with room, gets the whole file
    const again = await cluster.client(['download', id, dest])
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(await readFile(join(dest, 'big.bin')), content)
  })

  it('a node started before its directory retries, then registers once the directory is up', async () => {
    const dir = await tempDir()
    try {
      const port = await freePort()
      const directoryData = join(dir.path, 'directory')
      const id = (await runPeerId(directoryData)).trim()
      const addr = `/ip4/127.0.0.1/tcp/${port}/p2p/${id}`
      const node = PeerProcess.spawn(['--role', 'node', '--directory', addr, '--data-dir', join(dir.path, 'node'), '--listen', '/ip4/127.0.0.1/tcp/0'])
      try {
        await node.waitFor(/cannot register with the directory .* \(attempt 2\)/)
        assert.doesNotMatch(node.stdout, /listening on/, 'not ready before it is registered')
        const directory = await PeerProcess.start(['--role', 'directory', '--open', '--data-dir', directoryData, '--listen', `/ip4/127.0.0.1/tcp/${port}`])
        try {
          assert.equal(directory.addr, addr, 'dfs-peer id printed the directory\'s peer ID')
          await node.waitFor(/listening on /)
          const nodes = JSON.parse((await runClient(['--directory', addr, 'nodes', '--json'], { env: { DFS_HOME: dir.path } })).stdout)
          assert.deepEqual(nodes.map((n: any) => [n.peerId, n.alive]), [[node.peerId, true]])
        } finally {
          await directory.stop()
        }
      } finally {
        await node.stop()
      }
    } finally {
      await dir.cleanup()
    }
  })
})

async function runPeerId (dataDir: string): Promise<string> {
  const peer = PeerProcess.spawn(['id', '--data-dir', dataDir])
  assert.equal(await peer.exited, 0)
  const again = PeerProcess.spawn(['id', '--data-dir', dataDir])
  assert.equal(await again.exited, 0)
  assert.equal(again.stdout, peer.stdout, 'the same ID every time')
  assert.match(peer.stdout, /^12D3KooW\w+\n$/)
  return peer.stdout
}

describe('dfs-peer usage and configuration errors', function () {
  this.timeout(30_000)

  it('exits 2 with a clear message on bad flags or config', async () => {
    const dir = await tempDir()
    try {
      const noRole = PeerProcess.spawn([])
      assert.equal(await noRole.exited, 2)
      assert.match(noRole.stderr, /--role directory\|node is required/)
      const badRole = PeerProcess.spawn(['--role', 'king'])
      assert.equal(await badRole.exited, 2)
      const noDirectory = PeerProcess.spawn(['--role', 'node', '--data-dir', join(dir.path, 'n')], { DFS_HOME: dir.path })
      assert.equal(await noDirectory.exited, 2)
      assert.match(noDirectory.stderr, /a node needs the directory's address/)
      await writeFile(join(dir.path, 'bad.json'), JSON.stringify({ capacity: 'plenty', listen: ['/ip4/127.0.0.1/tcp/0'] }))
      const badConfig = PeerProcess.spawn(['--role', 'node', '--config', join(dir.path, 'bad.json')])
      assert.equal(await badConfig.exited, 2)
      assert.match(badConfig.stderr, /^error: .*bad\.json: "capacity": expected a size like/)
      assert.doesNotMatch(badConfig.stderr, /\n\s+at /, 'no stack trace')
      const badCapacity = PeerProcess.spawn(['--role', 'node', '--capacity', '-5', '--directory', '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWRyAx65zMoiajQGj9pRCocCjsacyBgCB8Xv5WspKXbcYe'])
      assert.equal(await badCapacity.exited, 2)
      assert.match(badCapacity.stderr, /"capacity"/)
    } finally {
      await dir.cleanup()
    }
  })

  it('a listen address in use or not on this machine: exit 1 with the address and the reason, no stack trace', async () => {
    const dir = await tempDir()
    const taken = createServer()
    try {
      const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => { resolve((taken.address() as AddressInfo).port) }))
      const inUse = PeerProcess.spawn(['--role', 'directory', '--open', '--data-dir', join(dir.path, 'd'), '--listen', `/ip4/127.0.0.1/tcp/${port}`])
      assert.equal(await inUse.exited, 1)
      assert.match(inUse.stderr, new RegExp(`^error: could not listen on /ip4/127.0.0.1/tcp/${port}: the address is in use`, 'm'))
      assert.doesNotMatch(inUse.stderr, /\s+at /, 'no stack trace')
      // 192.0.2.0/24 is for documentation: no machine has it
      const notHere = PeerProcess.spawn(['--role', 'directory', '--open', '--data-dir', join(dir.path, 'd'), '--listen', '/ip4/192.0.2.7/tcp/0'])
      assert.equal(await notHere.exited, 1)
      assert.match(notHere.stderr, /^error: could not listen on \/ip4\/192\.0\.2\.7\/tcp\/0: listen EADDRNOTAVAIL/m)
      assert.doesNotMatch(notHere.stderr, /\s+at /, 'no stack trace')
    } finally {
      taken.close()
      await dir.cleanup()
    }
  })

  it('reads its listen address, data folder and open access from a config file', async () => {
    const dir = await tempDir()
    try {
      const port = await freePort()
      const dataDir = join(dir.path, 'd')
      await writeFile(join(dir.path, 'directory.json'), JSON.stringify({ listen: [`/ip4/127.0.0.1/tcp/${port}`], dataDir, deadAfter: '10s', open: true }))
      const directory = await PeerProcess.start(['--role', 'directory', '--config', join(dir.path, 'directory.json')])
      try {
        assert.match(directory.addr, new RegExp(`^/ip4/127.0.0.1/tcp/${port}/p2p/`))
        // its key and index live in the configured folder: the address it prints is that key's
        assert.equal(directory.peerId, await peerIdOfDir(dataDir))
        assert.ok((await readdir(dataDir)).includes('index.sqlite'), 'the index is in the configured data folder')
        // open: a client whose key is on no allowlist may list
        const stranger = await runClient(['--directory', directory.addr, 'ls'], { env: { DFS_HOME: join(dir.path, 'stranger') } })
        assert.equal(stranger.code, 0, stranger.stderr)
      } finally {
        await directory.stop()
      }
    } finally {
      await dir.cleanup()
    }
  })
})
