import assert from 'node:assert/strict'
import { Socket } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { createPeer, dialableAddrs } from '../../src/net/libp2p.ts'
import { StreamReader, sendMessage } from '../../src/net/stream-io.ts'

const PROTOCOL = '/dfs-test/echo/1.0.0'

describe('small messages go to the socket in one write each (real peers on 127.0.0.1)', function () {
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
    // a prefix alone is 2 bytes: what @libp2p/tcp wrote for every Noise message before (see coalesce-writes.ts)
    assert.equal(seen.filter((size) => size === 2).length, 0, `writes: ${seen.join(' ')}`)
    // per round: the request, the answer, and a window update from each side for the data it got
    assert.ok(seen.length <= rounds * 4, `${seen.length} writes for ${rounds} rounds`)
    assert.ok(seen.length >= rounds * 2, `${seen.length} writes for ${rounds} rounds: the spy saw the traffic`)
  })
})
