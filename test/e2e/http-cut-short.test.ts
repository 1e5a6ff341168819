import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Cluster, freePort } from '../helpers/cluster.ts'

const CHUNK = 256 * 1024

/** GET `url` and keep every byte that arrives, whether the body ends cleanly or is cut off. */
async function getAll (url: string): Promise<{ status: number, length: string | null, received: Buffer, complete: boolean }> {
  const response = await fetch(url)
  const reader = response.body!.getReader()
  const parts: Uint8Array[] = []
  let complete = true
  try {
    for (let piece = await reader.read(); piece.done !== true; piece = await reader.read()) parts.push(piece.value)
  } catch {
    complete = false
  }
  return { status: response.status, length: response.headers.get('content-length'), received: Buffer.concat(parts), complete }
}

// README: GET /files streams a file through the directory, checked chunk by chunk. Once the headers are
// out, a chunk that cannot be read or verified must end the body short of its content-length: the client
// sees a broken download, never a wrong byte and never a complete-looking one.
describe('HTTP downloads cut short at a bad chunk (real processes)', function () {
  this.timeout(180_000)
  let cluster: Cluster | undefined
  afterEach(async () => { await cluster?.stop(); cluster = undefined })

  for (const damage of ['corrupt', 'missing'] as const) {
    it(`ends the body before a later chunk whose only copy is ${damage}, with every byte sent right`, async () => {
      const httpPort = await freePort()
      cluster = await Cluster.start({ nodes: 1, nodeArgs: ['--scrub-rate', '0'], directoryArgs: ['--http', `/ip4/127.0.0.1/tcp/${httpPort}`] })
      const content = randomBytes(8 * CHUNK)
      const id = await cluster.upload(`${damage}.bin`, content, ['--chunk-size', '256KiB'])
      const url = `http://127.0.0.1:${httpPort}/files/${id}`
      // the file comes back whole first: what follows is the damage, not the setup
      const whole = await getAll(url)
      assert.deepEqual([whole.status, whole.complete], [200, true])
      assert.ok(whole.received.equals(content), 'byte for byte before the damage')

      const victim = (await cluster.json(['stat', id])).chunks[6]
      assert.equal(victim.offset, 6 * CHUNK)
      const chunkFile = join(cluster.nodeDataDir(0), 'store', 'chunks', victim.id.slice(-2), victim.id)
      if (damage === 'corrupt') {
        const bytes = await readFile(chunkFile)
        bytes[CHUNK - 10] ^= 0x01
        await writeFile(chunkFile, bytes)
      } else {
        await rm(chunkFile)
      }

      const cut = await getAll(url)
      assert.equal(cut.status, 200, 'the first chunks were good: the headers went out')
      assert.equal(cut.length, String(content.byteLength))
      assert.equal(cut.complete, false, `the body ended cleanly after ${cut.received.byteLength} of ${content.byteLength} bytes`)
      assert.ok(cut.received.byteLength <= victim.offset, `${cut.received.byteLength} bytes arrived: some from the bad chunk at ${victim.offset}`)
      assert.ok(cut.received.equals(content.subarray(0, cut.received.byteLength)), 'every byte that arrived is the file\'s')
    })
  }
})
