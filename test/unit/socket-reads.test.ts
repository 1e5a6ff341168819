import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import fc from 'fast-check'
import { createPeer, dialableAddrs } from '../../src/net/libp2p.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { MAX_KEPT_BYTES, READ_BYTES, RING_BYTES, nextRead, ringReadCounts } from '../../src/net/tuning/socket-reads.ts'

/** answers a 4-byte length with that many bytes of `bulk` */
const BULK_PROTOCOL = '/dfs-test/bulk/1.0.0'
/** sends one small message, then holds the stream open until the client closes it */
const SMALL_PROTOCOL = '/dfs-test/small/1.0.0'

describe('a dialed socket reads into a ring of its own (real peers on 127.0.0.1)', function () {
  this.timeout(60_000)
  let server: Libp2p
  let client: Libp2p
  const bulk = randomBytes(24 * 1024 * 1024)
  const small = randomBytes(300)

  before(async () => {
    server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    await server.handle(BULK_PROTOCOL, async (stream) => {
      const reader = new StreamReader(stream)
      try {
        const header = await reader.readMessage(16)
        const length = new DataView(header!.buffer, header!.byteOffset).getUint32(0)
        for (let at = 0; at < length; at += 256 * 1024) await sendBytes(stream, bulk.subarray(at, Math.min(length, at + 256 * 1024)))
        await stream.close()
      } finally {
        reader.release()
      }
    })
    await server.handle(SMALL_PROTOCOL, async (stream) => {
      const reader = new StreamReader(stream)
      try {
        await sendMessage(stream, small)
        // until the client closes its end
        while (await reader.readMessage(16) != null);
        await stream.close()
      } catch {} finally {
        reader.release()
      }
    })
    client = await createPeer({})
    await client.dial(multiaddr(dialableAddrs(server)[0]))
  })
  after(async () => {
    await client.stop()
    await server.stop()
  })

  async function download (bytes: number): Promise<Buffer> {
    const stream = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), BULK_PROTOCOL)
    const reader = new StreamReader(stream)
    try {
      const header = new Uint8Array(4)
      new DataView(header.buffer).setUint32(0, bytes)
      await sendMessage(stream, header)
      const hash = createHash('sha256')
      for await (const piece of reader.readBytes(bytes)) hash.update(piece)
      await stream.close()
      return hash.digest()
    } finally {
      reader.release()
    }
  }

  it('bulk bytes arrive intact, read into the ring, a read of up to 256 KiB at a time, not copied out', async () => {
    const before = { ...ringReadCounts }
    const digest = await download(bulk.byteLength)
    assert.deepEqual(digest, createHash('sha256').update(bulk).digest(), 'the bytes came through the ring changed')
    const direct = ringReadCounts.direct - before.direct
    const copied = ringReadCounts.copied - before.copied
    // 24 MiB in 64 KiB reads (Node's own) would be 384 reads; the ring goes round ~35 times
    assert.ok(direct >= 24, `${direct} reads into the ring for 24 MiB`)
    assert.ok(direct + copied < 384, `${direct} reads into the ring and ${copied} copied for 24 MiB: not larger than Node's own reads`)
    assert.ok(copied <= direct / 10, `${copied} reads copied out, ${direct} into the ring`)
  })

  it('a small message left unread meanwhile is intact after the ring has gone round many times (it is never decrypted into the ring)', async () => {
    const stream = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), SMALL_PROTOCOL)
    const reader = new StreamReader(stream)
    try {
      // the message has arrived, and sits in the reader unread
      for (let i = 0; i < 200 && reader.received === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      assert.ok(reader.received > 0, 'the small message never arrived')
      const digest = await download(16 * 1024 * 1024)
      assert.deepEqual(digest, createHash('sha256').update(bulk.subarray(0, 16 * 1024 * 1024)).digest())
      assert.deepEqual(Buffer.from(await reader.readMessage(1024) ?? []), small, 'the unread message was overwritten by later reads')
      await stream.close()
    } finally {
      reader.release()
    }
  })
})

describe('where a socket reads next in its ring', () => {
  it('never over the last 64 KiB it delivered (what Noise may keep of an unfinished message), for any sizes of reads', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: READ_BYTES })), { minLength: 1, maxLength: 400 }), (sizes) => {
      let next = 0
      // ring offsets of the bytes delivered, newest last, as [start, end) runs
      const delivered: Array<[number, number]> = []
      for (const size of sizes) {
        assert.ok(next + READ_BYTES <= RING_BYTES, `a read at ${next} does not fit`)
        // the part this read may write: the whole region handed to the socket
        const [from, to] = [next, next + READ_BYTES]
        let kept = MAX_KEPT_BYTES
        for (let i = delivered.length - 1; i >= 0 && kept > 0; i--) {
          const [start, end] = delivered[i]
          const keptStart = Math.max(start, end - kept)
          assert.ok(end <= from || keptStart >= to, `a read into [${from}, ${to}) overwrites kept bytes [${keptStart}, ${end})`)
          kept -= end - keptStart
        }
        delivered.push([next, next + size])
        next = nextRead(next + size)
      }
    }), { numRuns: 300 })
  })
})
