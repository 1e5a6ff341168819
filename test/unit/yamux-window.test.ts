import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { Socket } from 'node:net'
import { join } from 'node:path'
import { YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { createPeer, dialableAddrs } from '../../src/net/libp2p.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { DfsClient, DirectoryPeer, StorageNode } from '../../src/index.ts'
import { tempDir } from '../helpers/tmp.ts'

/** reads a 4-byte length, then that many bytes; answers with their sha256 */
const SINK_PROTOCOL = '/dfs-test/window-sink/1.0.0'
/** the same, but stops reading for a while after every 4 MiB */
const STALLING_SINK_PROTOCOL = '/dfs-test/window-stalling-sink/1.0.0'
const STALL_MS = 300
const MiB = 1024 * 1024

describe('yamux window updates (real peers on 127.0.0.1)', function () {
  this.timeout(60_000)
  let server: Libp2p
  let client: Libp2p
  let serverPort: number
  const realWrite = Socket.prototype.write
  /** socket writes made by the server's end of a connection: during a bulk upload to it, its window updates */
  let serverWrites = 0

  before(async () => {
    server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    serverPort = Number(/\/tcp\/(\d+)/.exec(dialableAddrs(server)[0])![1])
    const sink = (stallEvery: number) => async (stream: any): Promise<void> => {
      const reader = new StreamReader(stream)
      try {
        const header = await reader.readMessage(16)
        const length = new DataView(header!.buffer, header!.byteOffset).getUint32(0)
        const hash = createHash('sha256')
        let sinceStall = 0
        for await (const piece of reader.readBytes(length)) {
          hash.update(piece)
          sinceStall += piece.byteLength
          if (sinceStall >= stallEvery) {
            sinceStall = 0
            await new Promise((resolve) => setTimeout(resolve, STALL_MS))
          }
        }
        await sendMessage(stream, hash.digest())
        await stream.close()
      } finally {
        reader.release()
      }
    }
    await server.handle(SINK_PROTOCOL, sink(Infinity))
    await server.handle(STALLING_SINK_PROTOCOL, sink(4 * MiB))
    client = await createPeer({ windowUpdatesAtHalf: false })
    await client.dial(multiaddr(dialableAddrs(server)[0]))
    // both peers are in this process: every socket write either makes is seen here
    Socket.prototype.write = function (this: Socket, ...args: any[]) {
      if (this.localPort === serverPort) serverWrites++
      return (realWrite as any).apply(this, args)
    } as typeof Socket.prototype.write
  })
  after(async () => {
    Socket.prototype.write = realWrite
    await client.stop()
    await server.stop()
  })

  /** with `paceMs`, a pause after each write, so the receiver takes every frame on its own */
  async function upload (bytes: Uint8Array, writeSize: number, protocol = SINK_PROTOCOL, paceMs?: number): Promise<Uint8Array> {
    const stream = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), protocol)
    const reader = new StreamReader(stream)
    try {
      const header = new Uint8Array(4)
      new DataView(header.buffer).setUint32(0, bytes.byteLength)
      await sendMessage(stream, header)
      for (let offset = 0; offset < bytes.byteLength; offset += writeSize) {
        await sendBytes(stream, bytes.subarray(offset, offset + writeSize))
        if (paceMs != null) await new Promise((resolve) => setTimeout(resolve, paceMs))
      }
      return (await reader.readMessage(64))!
    } finally {
      reader.release()
      await stream.close()
    }
  }

  it('a receiver sends a window update per half window, not per frame, and the bytes arrive whole', async () => {
    await upload(randomBytes(MiB), 256 * 1024) // the connection and its first window, out of the count
    // 16 KiB frames, each taken alone: yamux answered every one with a window update (256 here);
    // at half the window (256 KiB at first) there is one per 128 KiB or less, 32 at most
    const bytes = randomBytes(4 * MiB)
    serverWrites = 0
    const digest = await upload(bytes, 16 * 1024, SINK_PROTOCOL, 1)
    const writes = serverWrites
    assert.deepEqual(Buffer.from(digest), createHash('sha256').update(bytes).digest(), 'intact')
    assert.ok(writes <= 4 * MiB / (128 * 1024) + 2, `${writes} writes by the receiver for 4 MiB in 16 KiB frames`)
  })

  it('a receiver that stops reading for a while, again and again, still gets all of a long upload', async () => {
    // its reader pauses the stream past the high-water mark: no updates while paused, and the
    // one at resume must go out, since the sender has used its window and waits for it
    const bytes = randomBytes(24 * MiB)
    const digest = await upload(bytes, 64 * 1024, STALLING_SINK_PROTOCOL)
    assert.deepEqual(Buffer.from(digest), createHash('sha256').update(bytes).digest())
  })

  it('every dfs peer sends them at half the window (directory, node, client); a peer made with the option off keeps yamux\'s', async () => {
    const dir = await tempDir()
    const directory = await DirectoryPeer.start({ listen: ['/ip4/127.0.0.1/tcp/0'], dataDir: join(dir.path, 'directory'), access: { open: true } })
    const node = await StorageNode.start({ directory: directory.addrs[0], listen: ['/ip4/127.0.0.1/tcp/0'], dataDir: join(dir.path, 'node') })
    const dfs = await DfsClient.connect({ directory: directory.addrs[0] })
    try {
      await writeFile(join(dir.path, 'file.bin'), randomBytes(2 * MiB))
      await dfs.uploadFile(join(dir.path, 'file.bin'))
      // the store streams the upload used stay open for the next request, as do the client's to the directory
      const streamsOf = (peer: Libp2p): any[] => peer.getConnections().flatMap((connection) => connection.streams)
      for (const [role, peer] of [['directory', directory.libp2p], ['node', node.libp2p], ['client', dfs.libp2p]] as const) {
        const streams = streamsOf(peer)
        assert.ok(streams.length > 0, `open streams on the ${role}`)
        for (const stream of streams) assert.notEqual(stream.sendWindowUpdate, YamuxStream.prototype.sendWindowUpdate, `${role}: at half the window`)
      }
      // the uploading peer of the tests above has the option off: stock yamux
      const plain = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), SINK_PROTOCOL)
      try {
        assert.ok(streamsOf(client).includes(plain))
        assert.equal((plain as any).sendWindowUpdate, YamuxStream.prototype.sendWindowUpdate, 'plain peer: yamux\'s own')
      } finally {
        plain.abort(new Error('done'))
      }
    } finally {
      await dfs.close()
      await node.stop()
      await directory.stop()
      await dir.cleanup()
    }
  })
})
