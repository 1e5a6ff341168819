import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '../helpers/tmp.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { fileIdOf } from '../../src/content/manifest.ts'
import { Cluster, runClient } from '../helpers/cluster.ts'

const idOf = (bytes: Uint8Array): string => cidFromDigest(createHash('sha256').update(bytes).digest())

/** The file ID the client must derive: the manifest of its 4 MiB chunks. */
function fileIdOfContent (content: Buffer, chunkSize = 4 * 1024 * 1024): string {
  const chunkIds: string[] = []
  for (let offset = 0; offset < content.byteLength; offset += chunkSize) chunkIds.push(idOf(content.subarray(offset, offset + chunkSize)))
  return fileIdOf(chunkIds, content.byteLength)
}

describe('end to end: directory + 3 nodes + dfs-client, as processes', function () {
  this.timeout(180_000)
  let cluster: Cluster
  let work: string

  before(async () => {
    cluster = await Cluster.start({ nodes: 3 })
    work = join(cluster.root, 'work')
    await mkdir(work)
  })
  after(async () => { await cluster?.stop() })

  async function uploadAndCheck (name: string, content: Buffer): Promise<string> {
    const path = join(work, name)
    await writeFile(path, content)
    const up = await cluster.client(['upload', path])
    assert.equal(up.code, 0, up.stderr)
    assert.equal(up.stdout, `${fileIdOfContent(content)}\n`, 'stdout is the file ID and nothing else')
    const id = up.stdout.trim()
    for (const ref of [id, name]) {
      const dest = join(work, `out-${name}-${ref === id ? 'id' : 'name'}`)
      const down = await cluster.client(['download', ref, dest])
      assert.equal(down.code, 0, down.stderr)
      assert.deepEqual(await readFile(dest), content, `download by ${ref === id ? 'ID' : 'name'} is byte for byte`)
    }
    return id
  }

  it('uploads and downloads an empty file', async () => {
    await uploadAndCheck('empty.bin', Buffer.alloc(0))
  })

  it('uploads and downloads a small text file', async () => {
    await uploadAndCheck('hello.txt', Buffer.from('hello, dfs\n'))
  })

  it('uploads and downloads a 64 MiB random file, spread over the nodes', async () => {
    const id = await uploadAndCheck('random64.bin', randomBytes(64 * 1024 * 1024))
    const stat = await cluster.client(['stat', id, '--json'])
    assert.equal(stat.code, 0, stat.stderr)
    const info = JSON.parse(stat.stdout)
    assert.equal(info.chunks.length, 16)
    const holders = new Set(info.chunks.flatMap((c: any) => c.peers))
    assert.equal(holders.size, 3, 'chunks spread over all three nodes')
  })

  it('downloads into an existing folder under the file\'s name, and to stdout', async () => {
    const content = Buffer.from('folder and stdout\n')
    await writeFile(join(work, 'named.txt'), content)
    assert.equal((await cluster.client(['upload', join(work, 'named.txt'), '--name', 'custom-name.txt'])).code, 0)
    const folder = join(work, 'into')
    await mkdir(folder)
    const down = await cluster.client(['download', 'custom-name.txt', folder])
    assert.equal(down.code, 0, down.stderr)
    assert.deepEqual(await readdir(folder), ['custom-name.txt'])
    assert.deepEqual(await readFile(join(folder, 'custom-name.txt')), content)
    const toStdout = await cluster.client(['download', 'custom-name.txt', '-'])
    assert.equal(toStdout.code, 0, toStdout.stderr)
    assert.deepEqual(toStdout.stdoutBytes, content)
  })

  it('refuses a destination whose folder does not exist, before fetching anything', async () => {
    await cluster.upload('hello.txt', 'hello, dfs\n')
    const intoMissing = await cluster.client(['download', 'hello.txt', join(work, 'missing-folder') + '/'])
    assert.equal(intoMissing.code, 1)
    assert.match(intoMissing.stderr, /^error: folder .*missing-folder\/ does not exist/)
    const underMissing = await cluster.client(['download', 'hello.txt', join(work, 'missing-folder', 'x.txt')])
    assert.equal(underMissing.code, 1)
    assert.match(underMissing.stderr, /^error: cannot write .*x\.txt: folder .*missing-folder does not exist/)
    // before even asking the directory: a name that is not there gets the same answer, not "no file has the name"
    const neverAsked = await cluster.client(['download', 'not-uploaded.txt', join(work, 'missing-folder') + '/'])
    assert.equal(neverAsked.code, 1)
    assert.match(neverAsked.stderr, /^error: folder .*missing-folder\/ does not exist/)
    assert.ok(!(await readdir(work)).some((f) => f.startsWith('missing-folder')), 'nothing written')
  })

  it('points a name uploaded again at the newest content', async () => {
    const path = join(work, 'versions.txt')
    await writeFile(path, 'version 1\n')
    const first = (await cluster.client(['upload', path])).stdout.trim()
    await writeFile(path, 'version 2\n')
    const second = (await cluster.client(['upload', path])).stdout.trim()
    assert.notEqual(first, second)
    const latest = await cluster.client(['download', 'versions.txt', '-'])
    assert.equal(latest.stdout, 'version 2\n')
    const old = await cluster.client(['download', first, '-'])
    assert.equal(old.stdout, 'version 1\n', 'the old content stays reachable by ID')
  })

  it('lists files, shows a file and lists nodes, as tables and as JSON', async () => {
    await cluster.upload('hello.txt', 'hello, dfs\n')
    const ls = await cluster.client(['ls', '--json'])
    assert.equal(ls.code, 0, ls.stderr)
    const files = JSON.parse(ls.stdout)
    const hello = files.find((f: any) => f.name === 'hello.txt')
    assert.deepEqual(Object.keys(hello).slice(0, 4), ['name', 'id', 'size', 'uploadedAt'])
    assert.equal(hello.id, fileIdOfContent(Buffer.from('hello, dfs\n')))
    assert.match(hello.id, /^bagu/, 'a dag-json CID')
    assert.equal(hello.size, 11)
    assert.ok(!Number.isNaN(Date.parse(hello.uploadedAt)))
    assert.deepEqual(files.map((f: any) => f.name), [...files.map((f: any) => f.name)].sort())

    const table = await cluster.client(['ls'])
    assert.match(table.stdout, /^NAME\s+ID\s+SIZE\s+UPLOADED/)
    assert.match(table.stdout, /hello\.txt\s+bagu\S+\s+11 B/)

    const stat = JSON.parse((await cluster.client(['stat', 'hello.txt', '--json'])).stdout)
    assert.deepEqual({ name: stat.name, id: stat.id, size: stat.size }, { name: 'hello.txt', id: hello.id, size: 11 })
    assert.equal(stat.chunks.length, 1)
    assert.deepEqual(Object.keys(stat.chunks[0]).slice(0, 4), ['id', 'offset', 'size', 'peers'])
    assert.equal(stat.replicas, 3, 'three nodes: three copies by default')
    assert.equal(stat.health, 'healthy')
    assert.equal(stat.chunks[0].health, 'healthy')
    assert.equal(stat.chunks[0].peers.length, 3)
    assert.equal(stat.chunks[0].id, idOf(Buffer.from('hello, dfs\n')), 'a chunk ID is the CID of its bytes')
    assert.ok(cluster.nodes.map((n) => n.peerId).includes(stat.chunks[0].peers[0]))

    const nodes = JSON.parse((await cluster.client(['nodes', '--json'])).stdout)
    assert.deepEqual(nodes.map((n: any) => n.peerId).sort(), cluster.nodes.map((n) => n.peerId).sort())
    for (const node of nodes) {
      assert.equal(node.alive, true)
      assert.deepEqual(node.addrs, [cluster.nodes.find((n) => n.peerId === node.peerId)!.addr])
      assert.ok(node.capacity > 0)
      for (const key of ['used', 'chunks']) assert.equal(typeof node[key], 'number')
    }
    const nodesTable = await cluster.client(['nodes'])
    assert.match(nodesTable.stdout, /PEER ID\s+ALIVE\s+USED\s+CAPACITY\s+CHUNKS\s+ADDRESSES/)
  })

  it('prints all of a long answer into a pipe: stat --json of a file of 1,024 chunks', async () => {
    const content = randomBytes(1024 * 4096)
    const path = join(work, 'many-chunks.bin')
    await writeFile(path, content)
    const up = await cluster.client(['upload', path, '--chunk-size', '4KiB'])
    assert.equal(up.code, 0, up.stderr)
    // the client's stdout is a pipe here: its JSON is several times the pipe's 64 KiB
    const stat = await cluster.client(['stat', up.stdout.trim(), '--json'])
    assert.equal(stat.code, 0, stat.stderr)
    assert.ok(stat.stdout.length > 4 * 65536, `${stat.stdout.length} characters`)
    const info = JSON.parse(stat.stdout)
    assert.equal(info.chunks.length, 1024)
    assert.equal(info.chunks[1023].offset, 1023 * 4096)
  })

  it('nodes report what they hold on their next heartbeat', async () => {
    const usedBefore = new Map<string, number>((await cluster.json(['nodes'])).map((n: any) => [n.peerId, n.used]))
    // three copies on three nodes: each node gets every chunk
    const size = 8 * 1024 * 1024
    await cluster.upload('reported.bin', randomBytes(size))
    // heartbeats come every deadAfter/3 = 1 s in this cluster
    let nodes: any[] = []
    await cluster.waitFor('every node to report the new chunks', async () => {
      nodes = await cluster.json(['nodes'])
      return nodes.every((n: any) => n.used >= usedBefore.get(n.peerId)! + size)
    })
    const used = nodes.reduce((sum: number, n: any) => sum + n.used, 0)
    assert.ok(used >= 3 * size, `nodes report ${used} bytes used`)
    assert.ok(nodes.every((n: any) => n.chunks > 0))
  })

  it('an unknown ID or name fails with exit 1 and a clear error, writing nothing', async () => {
    const dest = join(work, 'never')
    for (const ref of ['no-such-file.txt', fileIdOfContent(Buffer.from('never uploaded'))]) {
      const down = await cluster.client(['download', ref, dest])
      assert.equal(down.code, 1)
      assert.match(down.stderr, /^error: no file has the name or ID "/)
      assert.equal(down.stderr.trim().split('\n').length, 1, 'one line, no stack trace')
      const stat = await cluster.client(['stat', ref])
      assert.equal(stat.code, 1)
    }
    assert.ok(!(await readdir(work)).some((f) => f.startsWith('never') || f.includes('.dfs-part')))
  })

  it('finds the directory through $DFS_DIRECTORY or the home config', async () => {
    const viaEnv = await runClient(['ls', '--json'], { env: { DFS_DIRECTORY: cluster.directoryAddr, DFS_HOME: join(cluster.root, 'empty-home') } })
    assert.equal(viaEnv.code, 0, viaEnv.stderr)
    const home = join(cluster.root, 'configured-home')
    await mkdir(home)
    await writeFile(join(home, 'config.json'), JSON.stringify({ directory: cluster.directoryAddr }))
    const viaHome = await runClient(['--home', home, 'ls', '--json'], { env: { DFS_DIRECTORY: '' } })
    assert.equal(viaHome.code, 0, viaHome.stderr)
    assert.deepEqual(JSON.parse(viaHome.stdout), JSON.parse(viaEnv.stdout))
  })

  it('refuses bad names and missing files with exit 1 and nothing recorded', async () => {
    const path = join(work, 'ok.txt')
    await writeFile(path, 'x')
    for (const name of ['../escape', 'a/b', '..']) {
      const up = await cluster.client(['upload', path, '--name', name])
      assert.equal(up.code, 1, name)
      assert.match(up.stderr, /^error: .*(path separator|not a valid file name)/)
    }
    const missing = await cluster.client(['upload', join(work, 'does-not-exist')])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /^error: no such file: /)
    const names = JSON.parse((await cluster.client(['ls', '--json'])).stdout).map((f: any) => f.name)
    assert.ok(!names.some((n: string) => n.includes('escape') || n.includes('/')))
  })
})

describe('dfs-client usage and connection errors', function () {
  this.timeout(30_000)
  // an empty home: no config, and room for the client key it makes (any user can write there)
  let home: Awaited<ReturnType<typeof tempDir>>
  before(async () => { home = await tempDir('dfs-home-') })
  after(async () => { await home.cleanup() })

  it('exits 2 on bad usage', async () => {
    for (const args of [['frobnicate'], ['upload'], ['ls', '--bogus'], []]) {
      const result = await runClient(args, { env: { DFS_HOME: home.path } })
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
    }
    const noDirectory = await runClient(['ls'], { env: { DFS_HOME: home.path, DFS_DIRECTORY: '' } })
    assert.equal(noDirectory.code, 2)
    assert.match(noDirectory.stderr, /^error: no directory address: pass --directory/)
  })

  it('says within a few seconds that the directory cannot be reached, naming the address', async () => {
    const addr = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWRyAx65zMoiajQGj9pRCocCjsacyBgCB8Xv5WspKXbcYe'
    const started = Date.now()
    const result = await runClient(['--directory', addr, 'ls'], { env: { DFS_HOME: home.path } })
    assert.equal(result.code, 1)
    assert.ok(result.stderr.startsWith(`error: cannot reach the directory at ${addr}`), result.stderr)
    assert.ok(Date.now() - started < 10_000, 'it does not hang')
  })

  it('refuses a directory address without a peer ID', async () => {
    const result = await runClient(['--directory', '/ip4/127.0.0.1/tcp/1', 'ls'], { env: { DFS_HOME: home.path } })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /has no \/p2p\/<peer id> part/)
  })
})
