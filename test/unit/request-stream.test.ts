import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { createPeer, dialableAddrs } from '../../src/net/libp2p.ts'
import { RequestStream } from '../../src/net/request-stream.ts'
import { StreamReader, sendMessage } from '../../src/net/stream-io.ts'

const PROTOCOL = '/dfs-test/slow/1.0.0'
const HOLD_MS = 150

describe('request streams against a peer\'s stream limit (real peers on 127.0.0.1)', function () {
  this.timeout(30_000)
  let server: Libp2p
  let client: Libp2p

  beforeEach(async () => {
    server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    // one stream at a time; each request is held a while before its answer
    await server.handle(PROTOCOL, async (stream) => {
      const reader = new StreamReader(stream)
      try {
        const request = await reader.readMessage(64)
        await new Promise((resolve) => setTimeout(resolve, HOLD_MS))
        await sendMessage(stream, request ?? new Uint8Array(0))
        await stream.close()
      } finally {
        reader.release()
      }
    }, { maxInboundStreams: 1 })
    client = await createPeer({})
    await client.dial(multiaddr(dialableAddrs(server)[0]))
  })
  afterEach(async () => { await client.stop(); await server.stop() })

  async function ask (text: string, rerunnable = true): Promise<string> {
    const requests = new RequestStream(client, () => [multiaddr(dialableAddrs(server)[0])], PROTOCOL, 'the test server')
    try {
      return await requests.run(async (stream, reader) => {
        await sendMessage(stream, new TextEncoder().encode(text))
        return new TextDecoder().decode(await reader.readMessage(64) ?? new Uint8Array(0))
      }, { rerunnable })
    } finally {
      await requests.close()
    }
  }

  it('a stream refused while the peer is at its limit is opened again once there is room, and the request goes through', async () => {
    // the second stream is reset (the limit is 1) until the first is done, HOLD_MS later
    const [first, second] = await Promise.all([ask('one'), new Promise<string>((resolve, reject) => { setTimeout(() => { ask('two').then(resolve, reject) }, 20) })])
    assert.equal(first, 'one')
    assert.equal(second, 'two')
  })

  it('without rerunnable, a request on a refused stream fails at once (its bytes may have come from a source it drained)', async () => {
    const results = await Promise.all([ask('one'), new Promise<string | Error>((resolve) => {
      setTimeout(() => { ask('two', false).then(resolve, resolve) }, 20)
    })])
    assert.equal(results[0], 'one')
    assert.ok(results[1] instanceof Error, 'refused')
  })

  it('gives up when the peer stays at its limit', async () => {
    // twelve requests of 150 ms one at a time take 1.8 s; a refused one is tried again for ~0.8 s
    const results = await Promise.all(Array.from({ length: 12 }, async (_, i) => await ask(`hold-${i}`).catch((err: Error) => err)))
    const refused = results.filter((r): r is Error => r instanceof Error)
    assert.ok(refused.length > 0, 'some request outlasted the retries')
    for (const err of refused) assert.ok(['StreamRefusedError', 'StreamResetError', 'StreamStateError'].includes(err.name), err.name)
    assert.ok(results.some((r) => typeof r === 'string'), 'the first one got through')
  })
})
