import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Cluster, freePort } from '../helpers/cluster.ts'

const CHUNK = 256 * 1024

describe('end to end: a node\'s quarantine', function () {
  this.timeout(120_000)
  let cluster: Cluster | undefined
  afterEach(async () => {
    await cluster?.stop()
    cluster = undefined
  })

  it('counts a corrupt copy no repair can replace as used space until --quarantine-retention, then deletes it', async () => {
    const metricsPort = await freePort()
    // one node, one copy: nothing can replace the corrupt chunk, so only the retention empties the quarantine
    cluster = await Cluster.start({ nodes: 1, nodeArgs: ['--scrub-rate', '1GiB', '--scrub-interval', '1s', '--quarantine-retention', '15s', '--http', `/ip4/127.0.0.1/tcp/${metricsPort}`] })
    const content = randomBytes(4 * CHUNK)
    const id = await cluster.upload('doomed.bin', content, ['--chunk-size', '256KiB', '--replicas', '1'])
    const node = async (): Promise<any> => (await cluster!.json(['nodes']))[0]
    await cluster.waitFor('the node to report the file', async () => (await node()).chunks === 4)
    assert.equal((await node()).used, content.byteLength)

    const chunkId: string = (await cluster.json(['stat', id])).chunks[1].id
    const chunkFile = join(cluster.nodeDataDir(0), 'store', 'chunks', chunkId.slice(-2), chunkId)
    const bytes = await readFile(chunkFile)
    bytes[100] ^= 0x01
    await writeFile(chunkFile, bytes)
    const quarantine = join(cluster.nodeDataDir(0), 'store', 'quarantine')
    await cluster.waitFor('the corrupt copy quarantined', async () => (await readdir(quarantine).catch(() => [])).length === 1)

    // the heartbeat that no longer counts the chunk still counts its bytes
    await cluster.waitFor('a heartbeat without the chunk', async () => (await node()).chunks === 3)
    assert.equal((await node()).used, content.byteLength, 'the quarantined copy counts as used')
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    assert.match(metrics, new RegExp(`^dfs_stored_bytes\\{kind="quarantined",role="node"\\} ${CHUNK}$`, 'm'))
    assert.match(metrics, new RegExp(`^dfs_stored_bytes\\{kind="used",role="node"\\} ${content.byteLength}$`, 'm'))

    await cluster.waitFor('the quarantine emptied after the retention', async () => (await readdir(quarantine)).length === 0, 60_000)
    assert.match(cluster.nodes[0].stderr, new RegExp(`deleted the quarantined copy of chunk ${chunkId} .*kept for its retention`))
    await cluster.waitFor('the freed bytes no longer counted', async () => (await node()).used === content.byteLength - CHUNK)
  })
})
