import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { createPeer, dialableAddrs, STREAM_OPTIONS } from '../../src/net/libp2p.ts'
import { BULK_SEND_BYTES, StreamReader, sendBytes, sendMessage, sendMessageAndBytes } from '../../src/net/stream-io.ts'
import { DirectoryRequest, DirectoryResponse, Status } from '../../src/protocol/pb/directory.ts'
import { MAX_INBOUND_STREAMS } from '../../src/net/limits.ts'

describe('framing and codecs', () => {
  it('round-trips directory messages through protobuf', () => {
    const request: Partial<DirectoryRequest> = { resolve: { ref: 'notes.txt', chunkStart: 3, chunkLimit: 10, nodesVersion: 12345 } }
    assert.deepEqual(DirectoryRequest.decode(DirectoryRequest.encode(request)).resolve, request.resolve)
    const response = DirectoryResponse.encode({
      status: Status.NOT_FOUND,
      message: 'no such file',
      uploadId: '',
      placements: [],
      nodes: [],
      files: [],
      chunks: [{ index: 1, id: 'bafkrei', offset: 2 ** 40, size: 4, peers: ['a', 'b'] }]
    })
    const decoded = DirectoryResponse.decode(response)
    assert.equal(decoded.status, Status.NOT_FOUND)
    assert.equal(decoded.chunks[0].offset, 2 ** 40)
    assert.deepEqual(decoded.chunks[0].peers, ['a', 'b'])
  })

  it('reads length-prefixed messages and exact byte runs, in any split, even after the remote closed', async () => {
    const [a, b] = await streamPair()
    const bulk = randomBytes(3 * 1024 * 1024)
    await sendMessage(a, Buffer.from('first'))
    await sendBytes(a, bulk.subarray(0, 1000))
    await sendBytes(a, bulk.subarray(1000))
    await sendMessage(a, new Uint8Array(0))
    await sendMessage(a, Buffer.from('last'))
    await a.close()
    // start reading only after everything (and the FIN) has arrived
    for (const deadline = Date.now() + 20_000; b.remoteWriteStatus === 'writable';) {
      assert.ok(Date.now() < deadline, 'the remote\'s close never arrived')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const reader = new StreamReader(b, 64 * 1024)
    assert.equal(Buffer.from((await reader.readMessage(100))!).toString(), 'first')
    const parts: Uint8Array[] = []
    for await (const piece of reader.readBytes(bulk.byteLength)) parts.push(piece)
    assert.deepEqual(Buffer.concat(parts), bulk)
    assert.equal((await reader.readMessage(100))!.byteLength, 0)
    assert.equal(Buffer.from((await reader.readMessage(100))!).toString(), 'last')
    assert.equal(await reader.readMessage(100), undefined, 'clean end between messages')
  })

  it('sends a message and a small batch of pieces in one write, and bigger or streamed bytes after it, gathered into bulk sends', async () => {
    const [a, b] = await streamPair()
    const writes: number[] = []
    const send = a.send.bind(a)
    a.send = (data) => { writes.push(data.byteLength); return send(data) }
    const small = [randomBytes(1000), randomBytes(20), randomBytes(3000)]
    assert.equal(await sendMessageAndBytes(a, Buffer.from('batch'), 4020, small), 4020)
    assert.deepEqual(writes, [1 + 5 + 4020], 'message and pieces in one frame')
    const big = [randomBytes(40_000), randomBytes(40_000)]
    writes.length = 0
    assert.equal(await sendMessageAndBytes(a, Buffer.from('big'), 80_000, big), 80_000)
    assert.deepEqual(writes, [4, 80_000], 'over the inline size: the message, then the pieces in one send')
    // pieces of any size, as a node passing a chunk on gets them: sends of BULK_SEND_BYTES, no copies
    const pieces = Array.from({ length: 700 }, (_, i) => randomBytes(500 + (i * 37) % 1500))
    const total = pieces.reduce((sum, piece) => sum + piece.byteLength, 0)
    writes.length = 0
    assert.equal(await sendMessageAndBytes(a, Buffer.from('pieces'), total, (async function * () { yield * pieces })()), total)
    assert.deepEqual(writes, [7, ...Array(Math.floor(total / BULK_SEND_BYTES)).fill(BULK_SEND_BYTES), total % BULK_SEND_BYTES])
    const reader = new StreamReader(b)
    assert.equal(Buffer.from((await reader.readMessage(100))!).toString(), 'batch')
    const parts: Uint8Array[] = []
    for await (const piece of reader.readBytes(4020)) parts.push(piece)
    assert.deepEqual(Buffer.concat(parts), Buffer.concat(small))
    assert.equal(Buffer.from((await reader.readMessage(100))!).toString(), 'big')
    parts.length = 0
    for await (const piece of reader.readBytes(80_000)) parts.push(piece)
    assert.deepEqual(Buffer.concat(parts), Buffer.concat(big))
    assert.equal(Buffer.from((await reader.readMessage(100))!).toString(), 'pieces')
    parts.length = 0
    for await (const piece of reader.readBytes(total)) parts.push(piece)
    assert.deepEqual(Buffer.concat(parts), Buffer.concat(pieces))
  })

  it('a bulk send, with its yamux header, fills whole Noise messages', () => {
    assert.equal((BULK_SEND_BYTES + 12) % (65535 - 16), 0)
  })

  it('refuses a message over the limit and a stream that ends mid-message', async () => {
    const [a, b] = await streamPair()
    const reader = new StreamReader(b)
    await sendMessage(a, randomBytes(200))
    await assert.rejects(reader.readMessage(100), /over the limit of 100/)
    const [c, d] = await streamPair()
    const reader2 = new StreamReader(d)
    await sendBytes(c, Uint8Array.from([10, 1, 2]))
    await c.close()
    await assert.rejects(reader2.readMessage(100), /ended early/)
  })

  it('a read waiting for data stops when its signal aborts, and the reader goes on with the next read', async () => {
    const [a, b] = await streamPair()
    const reader = new StreamReader(b)
    const controller = new AbortController()
    const pieces: Uint8Array[] = []
    const reading = (async () => { for await (const piece of reader.readBytes(1000, { signal: controller.signal })) pieces.push(piece) })()
    await sendBytes(a, randomBytes(300))
    // the abort comes once the 300 bytes are handed on and the read is waiting for more
    for (const deadline = Date.now() + 20_000; pieces.reduce((sum, piece) => sum + piece.byteLength, 0) < 300;) {
      assert.ok(Date.now() < deadline, 'the 300 bytes sent never reached the reader')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    controller.abort(new Error('the chunk took too long'))
    await assert.rejects(reading, /the chunk took too long/)
    assert.equal(pieces.reduce((sum, piece) => sum + piece.byteLength, 0), 300, 'what had arrived was handed on')
    // the abort does not reach a later read, which waits as long as it takes
    const later = reader.readMessage(100)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await sendMessage(a, Buffer.from('next'))
    assert.equal(Buffer.from((await later)!).toString(), 'next')
  })

  it('a read listens to its signal once, however many times it waits for data (a listener per wait grew a download\'s memory)', async () => {
    const [a, b] = await streamPair()
    const reader = new StreamReader(b)
    const signal = AbortSignal.any([new AbortController().signal, AbortSignal.timeout(60_000)])
    let added = 0
    let removed = 0
    const add = signal.addEventListener.bind(signal)
    const remove = signal.removeEventListener.bind(signal)
    signal.addEventListener = ((...args: Parameters<typeof add>) => { added++; add(...args) }) as typeof add
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => { removed++; remove(...args) }) as typeof remove
    const total = 64 * 1024
    let waits = 0
    const reading = (async () => {
      let got = 0
      for await (const piece of reader.readBytes(total, { signal })) { got += piece.byteLength; waits++ }
      return got
    })()
    for (let sent = 0; sent < total; sent += 1024) {
      await sendBytes(a, randomBytes(1024))
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.equal(await reading, total)
    assert.ok(waits >= 32, `the read waited for data ${waits} times`)
    assert.equal(added, 1, 'one abort listener for the whole read')
    assert.equal(removed, 1, 'and it is removed when the read ends')
  })

  it('a wait for data longer than the idle timeout fails; a wait that gets data in time does not', async () => {
    const [a, b] = await streamPair()
    // a timeout ten times the wait below, so that a loaded machine cannot stretch the wait past it
    const reader = new StreamReader(b, undefined, 1000)
    const first = reader.readMessage(100)
    await new Promise((resolve) => setTimeout(resolve, 100))
    await sendMessage(a, Buffer.from('in time'))
    assert.equal(Buffer.from((await first)!).toString(), 'in time')
    const started = performance.now()
    await assert.rejects(async () => { for await (const piece of reader.readBytes(10)) void piece }, { name: 'IdleTimeoutError' })
    assert.ok(performance.now() - started >= 950, 'not before the timeout')
    // quiet between messages is a goodbye: readMessage answers undefined, as for a clean end
    assert.equal(await reader.readMessage(100), undefined)
  })
})

describe('a paused stream can hold all its peer was allowed to send (real peers on 127.0.0.1)', function () {
  this.timeout(30_000)
  const PROTOCOL = '/dfs-test/window/1.0.0'
  let server: Libp2p
  let client: Libp2p

  before(async () => {
    server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    client = await createPeer({})
  })
  after(async () => {
    await client.stop()
    await server.stop()
  })

  it('on both ends, a stream buffers more than the largest receive window yamux grants (else a reader that paused lost its stream)', async () => {
    // yamux grants window as bytes arrive; a paused stream stops granting but still takes what was
    // granted, and is reset past its read-buffer limit, which with yamux's defaults (16 MiB window,
    // 4 MiB buffer) loses the stream of a reader that waits for its disk
    let inbound: any
    await server.handle(PROTOCOL, async (stream) => { inbound = stream; await stream.close() })
    const outbound: any = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), PROTOCOL)
    await outbound.close()
    // eslint-disable-next-line no-unmodified-loop-condition -- the handler above sets inbound
    for (let i = 0; i < 100 && inbound == null; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    for (const [end, stream] of [['dialer', outbound], ['listener', inbound]]) {
      // the stream as yamux made it, whatever libp2p wraps around it
      assert.equal(typeof stream.maxStreamWindowSize, 'number', `${end}: a yamux stream`)
      assert.ok(stream.maxReadBufferLength > stream.maxStreamWindowSize, `${end}: read buffer ${stream.maxReadBufferLength}, window up to ${stream.maxStreamWindowSize}`)
      assert.equal(stream.maxReadBufferLength, STREAM_OPTIONS.maxReadBufferLength)
    }
  })
})

describe('a burst of streams right after a dial (real peers on 127.0.0.1)', function () {
  this.timeout(30_000)
  const PROTOCOL = '/dfs-test/burst/1.0.0'
  let server: Libp2p
  let client: Libp2p

  before(async () => {
    server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    await server.handle(PROTOCOL, async (stream) => {
      const reader = new StreamReader(stream)
      try {
        await sendMessage(stream, (await reader.readMessage(64)) ?? new Uint8Array(0))
        await stream.close()
      } finally {
        reader.release()
      }
    }, { maxInboundStreams: MAX_INBOUND_STREAMS })
    // Streams that arrive before the listener has finished its half of the upgrade wait as
    // "early streams" until its stream handler is attached. That moment is short, so the burst
    // below would land in it only now and then; the listener's last upgrade step, its
    // connection gater, is held for 200 ms to make it certain
    const gater = (server as any).components.connectionGater
    gater.denyInboundUpgradedConnection = async () => {
      await new Promise((resolve) => setTimeout(resolve, 200))
      return false
    }
    client = await createPeer({})
  })
  after(async () => { await client.stop(); await server.stop() })

  it('as many requests side by side as a protocol accepts, sent the moment the dial returns, all get answers on the one connection', async () => {
    // past yamux's default of 10 early streams the listener aborted the whole connection
    const connection = await client.dial(multiaddr(dialableAddrs(server)[0]))
    const answers = await Promise.all(Array.from({ length: MAX_INBOUND_STREAMS }, async (_, i) => {
      const stream = await connection.newStream(PROTOCOL)
      const reader = new StreamReader(stream)
      try {
        await sendMessage(stream, Buffer.from(`request ${i}`))
        return Buffer.from((await reader.readMessage(64)) ?? new Uint8Array(0)).toString()
      } finally {
        reader.release()
        await stream.close()
      }
    }))
    assert.deepEqual(answers, Array.from({ length: MAX_INBOUND_STREAMS }, (_, i) => `request ${i}`))
    assert.equal(connection.status, 'open', 'the connection survived')
  })
})
