import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Cluster, waitUntil, type PeerProcess } from '../helpers/cluster.ts'
import { chunkOnDisk, partFiles, recordPlacements, type PartFile } from '../helpers/chain.ts'
import { DfsClient } from '../../src/index.ts'
import type { FileInfo } from '../../src/protocol/pb/directory.ts'

/** Big enough that a node streams it to a partial file (past the 4 MiB receive buffers) for a while. */
const CHUNK = 64 * 1024 * 1024
/** The file: one big chunk, broken in flight, then a small one sent after it. */
const FILE_BYTES = CHUNK + 1024 * 1024 + 17

const ROLES = ['first', 'second', 'last'] as const

interface Broken {
  cluster: Cluster
  client: DfsClient
  content: Buffer
  /** the node indexes of chunk 0's original chain, in order */
  chain: number[]
  victim: PeerProcess
  /** what the victim had on disk once killed */
  victimParts: PartFile[]
  placements: Map<number, string[][]>
  outcome: FileInfo | Error
}

/**
 * Upload a file with 3 copies of each chunk, one chunk at a time, and kill -9
 * the node at `role` in chunk 0's chain once it has received part of it. To
 * make that moment certain, the chain's last node is frozen (SIGSTOP) as soon
 * as bytes reach its disk, which stalls the chain upstream of it too; the
 * victim dies while stalled, and the frozen node resumes.
 */
async function breakChain (nodes: number, role: 0 | 1 | 2, started: (cluster: Cluster, client?: DfsClient) => void): Promise<Broken> {
  const cluster = await Cluster.start({ nodes, deadAfter: '30s' })
  started(cluster)
  const content = randomBytes(FILE_BYTES)
  const path = join(cluster.root, 'chain.bin')
  await writeFile(path, content)
  const client = await DfsClient.connect({ directory: cluster.directoryAddr, replicas: 3, chunkSize: CHUNK, parallelChunks: 1 })
  started(cluster, client)
  const placements = recordPlacements(client.directory)
  const outcome = client.uploadFile(path).then((file) => file, (err: Error) => err)
  const indexOf = new Map(cluster.nodes.map((node, i) => [node.peerId, i]))
  await waitUntil('the directory to place chunk 0', () => placements.has(0), 60_000, 10)
  const chain = placements.get(0)![0].map((peer) => indexOf.get(peer)!)
  assert.equal(new Set(chain).size, 3, `chunk 0 placed on 3 distinct nodes: ${chain.join()}`)
  const last = cluster.nodes[chain[2]]
  const victim = cluster.nodes[chain[role]]
  try {
    await waitUntil('the chain\'s last node to write part of chunk 0', async () => (await partFiles(cluster.nodeDataDir(chain[2]))).some((part) => part.size > 0), 60_000, 2)
    last.proc.kill('SIGSTOP')
    await waitUntil(`the ${ROLES[role]} node to hold part of chunk 0`, async () => (await partFiles(cluster.nodeDataDir(chain[role]))).some((part) => part.size > 0), 60_000, 2)
    await victim.kill9()
  } finally {
    if (last !== victim) last.proc.kill('SIGCONT')
  }
  // killed, it deleted nothing: what it had received is still there
  const victimParts = await partFiles(cluster.nodeDataDir(chain[role]))
  return { cluster, client, content, chain, victim, victimParts, placements, outcome: await outcome }
}

describe('end to end: a replication chain broken in the middle of a chunk', function () {
  this.timeout(240_000)
  let running: { cluster: Cluster, client?: DfsClient } | undefined
  // stopped after each test, also when it fails half way
  const started = (cluster: Cluster, client?: DfsClient): void => { running = { cluster, client } }
  afterEach(async () => {
    await running?.client?.close()
    await running?.cluster.stop()
    running = undefined
  })

  for (const role of [0, 1, 2] as const) {
    it(`the ${ROLES[role]} node of the chain killed mid-chunk: the chunk goes to a replacement, and every chunk has 3 verified copies on disk`, async () => {
      const broken = await breakChain(4, role, started)
      const { cluster, client, chain, victim, victimParts, placements, content } = broken
      assert.equal(victimParts.length, 1, `the victim was receiving one chunk: ${JSON.stringify(victimParts)}`)
      assert.ok(victimParts[0].size > 0 && victimParts[0].size < CHUNK, `killed after part of the chunk, not all of it: ${victimParts[0].size} of ${CHUNK} bytes`)

      if (broken.outcome instanceof Error) assert.fail(`with a spare node the upload must succeed, but: ${broken.outcome.message}`)
      const file = broken.outcome
      const info = await client.stat(file.id)
      assert.equal(info.chunks.length, 2)
      const spare = [0, 1, 2, 3].find((i) => !chain.includes(i))!
      for (const chunk of info.chunks) {
        assert.equal(new Set(chunk.peers).size, 3, `chunk ${chunk.index} recorded on 3 distinct nodes: ${chunk.peers.join()}`)
        assert.ok(!chunk.peers.includes(victim.peerId), `chunk ${chunk.index} not recorded on the killed node`)
        for (const peer of chunk.peers) {
          const node = cluster.nodes.findIndex((n) => n.peerId === peer)
          assert.equal(await chunkOnDisk(cluster.nodeDataDir(node), chunk.id), 'verified', `chunk ${chunk.index} on node ${node}'s disk`)
        }
      }
      // the copies the chain made before the break stay; the missing ones went to the spare node
      const expected = [...chain.filter((i) => i !== chain[role]), spare].map((i) => cluster.nodes[i].peerId).sort()
      assert.deepEqual([...info.chunks[0].peers].sort(), expected, 'chunk 0 on the survivors of its chain and the spare node')
      assert.ok(placements.get(0)!.length > 1, 'the directory was asked for a replacement')
      assert.equal(await chunkOnDisk(cluster.nodeDataDir(chain[role]), info.chunks[0].id), 'missing', 'the killed node never got the whole chunk')

      const parts: Uint8Array[] = []
      for await (const piece of client.download(file.id)) parts.push(piece)
      assert.ok(Buffer.concat(parts).equals(content), 'byte for byte')
      // the partial copies the broken chain left on living nodes are deleted
      for (const [i] of cluster.nodes.entries()) {
        if (i === chain[role]) continue
        await waitUntil(`node ${i} to delete its partial chunk files`, async () => (await partFiles(cluster.nodeDataDir(i))).length === 0, 30_000, 50)
      }
    })
  }

  it('the second node of the chain killed mid-chunk with no spare node: the upload fails clearly and nothing is recorded', async () => {
    const broken = await breakChain(3, 1, started)
    const { client, victimParts } = broken
    assert.equal(victimParts.length, 1, `the victim was receiving one chunk: ${JSON.stringify(victimParts)}`)
    assert.ok(victimParts[0].size > 0 && victimParts[0].size < CHUNK, `killed after part of the chunk: ${victimParts[0].size} of ${CHUNK} bytes`)
    const outcome = broken.outcome
    assert.ok(outcome instanceof Error, `with 2 live nodes left, 3 copies cannot be made: ${JSON.stringify(outcome)}`)
    assert.equal(outcome.name, 'ChunkTransferError', outcome.message)
    assert.match(outcome.message, /^could store only [0-2] of 3 copies of chunk 0: /)
    assert.deepEqual((await client.list()).map((f) => f.name), [], 'nothing recorded')
  })
})
