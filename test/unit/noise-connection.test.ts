import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { Socket } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { createPeer, dialableAddrs } from '../../src/net/libp2p.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { COALESCE_BYTES } from '../../src/net/tuning/noise-connection.ts'
import { SMALL_MESSAGE } from '../../src/net/tuning/noise-crypto.ts'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import fc from 'fast-check'
import { noiseLength } from '../../src/net/tuning/noise-lengths.ts'

const PROTOCOL = '/dfs-test/echo/1.0.0'
/** reads a 4-byte length, then that many bytes; answers with their sha256 */
const SINK_PROTOCOL = '/dfs-test/sink/1.0.0'

describe('Noise connections: small messages go to the socket in one write each, bulk data in few writevs, reads are cut into messages without exceptions (real peers on 127.0.0.1)', function () {
  this.timeout(30_000)
  let server: Libp2p
  let client: Libp2p
  const realWrite = Socket.prototype.write
  const sizes: number[] = []

  before(async () => {
    server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    await server.handle(PROTOCOL, async (stream) => {
      const reader = new StreamReader(stream)
      try {
        for (let message = await reader.readMessage(4096); message != null; message = await reader.readMessage(4096)) await sendMessage(stream, message)
        await stream.close()
      } finally {
        reader.release()
      }
    })
    await server.handle(SINK_PROTOCOL, async (stream) => {
      const reader = new StreamReader(stream)
      try {
        const header = await reader.readMessage(16)
        const length = new DataView(header!.buffer, header!.byteOffset).getUint32(0)
        const hash = createHash('sha256')
        for await (const piece of reader.readBytes(length)) hash.update(piece)
        await sendMessage(stream, hash.digest())
        await stream.close()
      } finally {
        reader.release()
      }
    })
    client = await createPeer({})
    await client.dial(multiaddr(dialableAddrs(server)[0]))
    // both peers are in this process: every socket write either makes is seen here
    Socket.prototype.write = function (this: Socket, chunk: any, ...rest: any[]) {
      sizes.push(chunk?.byteLength ?? chunk?.length ?? 0)
      return (realWrite as any).call(this, chunk, ...rest)
    } as typeof Socket.prototype.write
  })
  after(async () => {
    Socket.prototype.write = realWrite
    await client.stop()
    await server.stop()
  })

  it('no write carries a Noise length prefix alone, and a request and its answer take a few writes, not twice as many', async () => {
    const stream = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), PROTOCOL)
    const reader = new StreamReader(stream)
    sizes.length = 0
    const rounds = 50
    for (let i = 0; i < rounds; i++) {
      const sent = new TextEncoder().encode(`request ${i} `.repeat(20))
      await sendMessage(stream, sent)
      assert.deepEqual(new Uint8Array(await reader.readMessage(4096) ?? []), sent)
    }
    const seen = [...sizes]
    reader.release()
    await stream.close()
    // a prefix alone is 2 bytes: what @libp2p/tcp wrote for every Noise message before (see noise-connection.ts)
    assert.equal(seen.filter((size) => size === 2).length, 0, `writes: ${seen.join(' ')}`)
    // per round: the request, the answer, and a window update from each side for the data it got
    assert.ok(seen.length <= rounds * 4, `${seen.length} writes for ${rounds} rounds`)
    assert.ok(seen.length >= rounds * 2, `${seen.length} writes for ${rounds} rounds: the spy saw the traffic`)
  })

  it('bulk data reaches the socket a batch of Noise messages per writev, not a write per piece, is decrypted without copying it, and arrives intact', async () => {
    const total = 16 * 1024 * 1024
    const piece = 256 * 1024
    const data = randomBytes(total)
    // both peers are in this process: every write and writev either makes to a socket is seen here
    const realWritev = (Socket.prototype as any)._writev
    const realWriteOne = (Socket.prototype as any)._write
    const calls: Array<{ kind: 'write' | 'writev', bytes: number }> = []
    ;(Socket.prototype as any)._writev = function (this: Socket, chunks: Array<{ chunk: Uint8Array }>, cb: any) {
      calls.push({ kind: 'writev', bytes: chunks.reduce((sum, c) => sum + c.chunk.byteLength, 0) })
      return realWritev.call(this, chunks, cb)
    }
    ;(Socket.prototype as any)._write = function (this: Socket, chunk: Uint8Array, encoding: any, cb: any) {
      calls.push({ kind: 'write', bytes: chunk.byteLength })
      return realWriteOne.call(this, chunk, encoding, cb)
    }
    // both peers are in this process: every copy uint8arraylist makes of a list (subarray) is seen here
    const realConcat = Buffer.concat
    const concats: number[] = []
    Buffer.concat = function (list: readonly Uint8Array[], length?: number) {
      concats.push(length ?? list.reduce((sum, b) => sum + b.byteLength, 0))
      return realConcat.call(Buffer, list, length)
    } as typeof Buffer.concat
    let digest: Uint8Array | undefined
    try {
      const stream = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), SINK_PROTOCOL)
      const reader = new StreamReader(stream)
      const header = new Uint8Array(4)
      new DataView(header.buffer).setUint32(0, total)
      await sendMessage(stream, header)
      for (let at = 0; at < total; at += piece) await sendBytes(stream, data.subarray(at, at + piece))
      digest = await reader.readMessage(64)
      reader.release()
      await stream.close()
    } finally {
      Buffer.concat = realConcat
      ;(Socket.prototype as any)._writev = realWritev
      ;(Socket.prototype as any)._write = realWriteOne
    }
    assert.deepEqual(Buffer.from(digest ?? []), createHash('sha256').update(data).digest(), 'the receiver hashed other bytes')
    const seenBytes = calls.reduce((sum, call) => sum + call.bytes, 0)
    // the spy saw the transfer: Noise adds 18 bytes to each message of at most 64 KiB
    assert.ok(seenBytes >= total, `${seenBytes} bytes written seen for ${total} sent`)
    const bulk = calls.filter((call) => call.bytes > COALESCE_BYTES)
    // Noise cuts 16 MiB into 256+ messages of three pieces each: uncorked, @libp2p/tcp wrote every piece alone
    const messages = Math.ceil(total / 65535)
    assert.ok(bulk.length <= messages / 2, `${bulk.length} bulk writes for ${messages} Noise messages: ${bulk.slice(0, 20).map((c) => `${c.kind} ${c.bytes}`).join(', ')}`)
    // a message that spans two socket reads is decrypted from its pieces (see noise-decrypt.ts): Noise copied nearly every one whole
    const bigCopies = concats.filter((length) => length > SMALL_MESSAGE)
    assert.ok(bigCopies.length <= messages / 10, `${bigCopies.length} copies of more than ${SMALL_MESSAGE} bytes for ${messages} Noise messages`)
  })

  it('a request and its answer are read without building a RangeError (Noise\'s length decoder threw one at the end of every socket read)', async () => {
    const stream = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), PROTOCOL)
    const reader = new StreamReader(stream)
    const RealRangeError = globalThis.RangeError
    let built = 0
    // both peers are in this process: every RangeError either side makes passes through here
    globalThis.RangeError = new Proxy(RealRangeError, {
      apply (target, self, args) { built++; return Reflect.apply(target, self, args) },
      construct (target, args, newTarget) { built++; return Reflect.construct(target, args, newTarget) }
    })
    const rounds = 50
    try {
      for (let i = 0; i < rounds; i++) {
        const sent = new TextEncoder().encode(`request ${i} `.repeat(20 + i))
        await sendMessage(stream, sent)
        assert.deepEqual(new Uint8Array(await reader.readMessage(4096) ?? []), sent)
      }
    } finally {
      globalThis.RangeError = RealRangeError
    }
    reader.release()
    await stream.close()
    assert.equal(built, 0, `${built} RangeErrors built in ${rounds} rounds`)
  })
})

describe('noiseLength cuts a byte stream into the same messages as Noise\'s own length decoder', () => {
  /** Noise's uint16BEDecode, as it is: it throws when fewer than 2 bytes are left */
  const throwingLength = (data: Uint8Array | Uint8ArrayList): number => {
    if (data.byteLength < 2) throw new RangeError('Could not decode int16BE')
    return data instanceof Uint8Array ? (data[0] << 8) | data[1] : data.getUint16(0)
  }
  const messagesOf = (lengthDecoder: typeof throwingLength, pieces: Uint8Array[]): string[] => {
    const decoder = new LengthPrefixedDecoder({ lengthDecoder, maxBufferSize: 16 * 1024 * 1024, encodingLength: () => 2 })
    const out: string[] = []
    for (const piece of pieces) for (const message of decoder.decode(piece)) out.push(Buffer.from(message.subarray()).toString('hex'))
    return out
  }

  it('for any messages (empty ones too) split into reads anywhere, a byte at a time included', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 30 }),
      (messages, cuts) => {
        const wire = Buffer.concat(messages.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), m]))
        const pieces: Uint8Array[] = []
        for (let at = 0, i = 0; at < wire.length; i++) {
          const size = cuts[i % cuts.length]
          pieces.push(wire.subarray(at, at + size))
          at += size
        }
        const expected = messagesOf(throwingLength, pieces)
        assert.deepEqual(messagesOf(noiseLength, pieces), expected)
        // and both are the non-empty messages, in order (the decoder drops empty ones)
        assert.deepEqual(expected, messages.filter((m) => m.length > 0).map((m) => Buffer.from(m).toString('hex')))
      }
    ), { numRuns: 300 })
  })
})
