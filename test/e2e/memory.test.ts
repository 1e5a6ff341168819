import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { open, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { Cluster, peakRss } from '../helpers/cluster.ts'

const GiB = 1024 ** 3
const MB = 1e6
/** The bounds the performance issue sets for a client and a node moving a file of any size. */
const CLIENT_RSS_LIMIT = 150 * MB
const NODE_RSS_LIMIT = 200 * MB

/** 1 GiB of distinct 4 MiB chunks, quick to write: one random block, stamped with its index. */
async function writeBigFile (path: string, size: number): Promise<void> {
  const block = randomBytes(4 * 1024 * 1024)
  const file = await open(path, 'w')
  try {
    for (let offset = 0; offset < size; offset += block.byteLength) {
      block.writeUInt32BE(offset / block.byteLength, 0)
      await file.write(block, 0, block.byteLength, offset)
    }
  } finally {
    await file.close()
  }
}

describe('memory stays bounded whatever the file size', function () {
  this.timeout(600_000)
  let cluster: Cluster | undefined
  after(async () => { await cluster?.stop() })

  it('a 1 GiB upload and download keep the client under 150 MB and the node under 200 MB', async function () {
    cluster = await Cluster.start({ nodes: 1 })
    const free = await statfs(cluster.root)
    if (free.bavail * free.bsize < 4 * GiB) {
      // the test needs the source, the node's copy and the downloaded copy on disk; CI must have them
      const why = `${(free.bavail * free.bsize / GiB).toFixed(1)} GiB free in ${cluster.root}, the test needs 4 GiB`
      if (process.env.DFS_CI_REQUIRE_ALL === '1') assert.fail(`DFS_CI_REQUIRE_ALL=1 and only ${why}`)
      console.log(`      skipped: only ${why}`)
      this.skip()
    }
    const source = join(cluster.root, 'big.bin')
    await writeBigFile(source, GiB)

    const up = await cluster.client(['upload', source])
    assert.equal(up.code, 0, up.stderr)
    assert.ok(up.peakRss > 0, 'the client\'s memory was sampled')
    assert.ok(up.peakRss < CLIENT_RSS_LIMIT, `client peak RSS during a 1 GiB upload: ${(up.peakRss / MB).toFixed(0)} MB`)

    const down = await cluster.client(['download', up.stdout.trim(), join(cluster.root, 'copy.bin')])
    assert.equal(down.code, 0, down.stderr)
    assert.ok(down.peakRss > 0, 'the client\'s memory was sampled')
    assert.ok(down.peakRss < CLIENT_RSS_LIMIT, `client peak RSS during a 1 GiB download: ${(down.peakRss / MB).toFixed(0)} MB`)

    const node = peakRss(cluster.nodes[0].proc.pid)
    console.log(`      peak RSS: client upload ${(up.peakRss / MB).toFixed(0)} MB, download ${(down.peakRss / MB).toFixed(0)} MB, node ${(node / MB).toFixed(0)} MB`)
    assert.ok(node > 0 && node < NODE_RSS_LIMIT, `node peak RSS after storing and serving 1 GiB: ${(node / MB).toFixed(0)} MB`)

    const stat = JSON.parse((await cluster.client(['stat', up.stdout.trim(), '--json'])).stdout)
    assert.equal(stat.size, GiB)
    assert.equal(stat.chunks.length, 256)
    const { createHash } = await import('node:crypto')
    const { createReadStream } = await import('node:fs')
    const digest = async (path: string): Promise<string> => {
      const hash = createHash('sha256')
      for await (const piece of createReadStream(path)) hash.update(piece)
      return hash.digest('hex')
    }
    assert.equal(await digest(join(cluster.root, 'copy.bin')), await digest(source), 'byte for byte')
  })
})
