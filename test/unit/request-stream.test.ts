import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { createPeer, dialableAddrs } from '../../src/net/libp2p.ts'
import { RequestStream } from '../../src/net/request-stream.ts'
import { StreamReader, sendMessage } from '../../src/net/stream-io.ts'
import { waitUntil } from '../helpers/cluster.ts'

const PROTOCOL = '/dfs-test/slow/1.0.0'

describe('request streams against a peer\'s stream limit (real peers on 127.0.0.1)', function () {
  this.timeout(30_000)
  let server: Libp2p
  let client: Libp2p
  /** requests the server has read, in order */
  let received: string[]
  /** the server answers nothing until this opens: a request holds the peer's one stream as long as the test wants */
  let openGate: () => void
  let gate: Promise<void>
  /** client.dial calls: each attempt to open a stream makes one */
  let dials: number
  /** times each request's function ran, on a stream of its own */
  const runs = new Map<string, number>()

  beforeEach(async () => {
    received = []
    runs.clear()
    gate = new Promise<void>((resolve) => { openGate = resolve })
    server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    // one stream at a time; each request is held until the gate opens
    await server.handle(PROTOCOL, async (stream) => {
      const reader = new StreamReader(stream)
      try {
        const request = await reader.readMessage(64)
        received.push(new TextDecoder().decode(request ?? new Uint8Array(0)))
        await gate
        await sendMessage(stream, request ?? new Uint8Array(0))
        await stream.close()
      } finally {
        reader.release()
      }
    }, { maxInboundStreams: 1 })
    client = await createPeer({})
    await client.dial(multiaddr(dialableAddrs(server)[0]))
    dials = 0
    const dial = client.dial.bind(client)
    client.dial = (async (...args: Parameters<Libp2p['dial']>) => { dials++; return await dial(...args) }) as Libp2p['dial']
  })
  afterEach(async () => { openGate(); await client.stop(); await server.stop() })

  async function ask (text: string, rerunnable = true): Promise<string> {
    const requests = new RequestStream(client, () => [multiaddr(dialableAddrs(server)[0])], PROTOCOL, 'the test server')
    try {
      return await requests.run(async (stream, reader) => {
        runs.set(text, (runs.get(text) ?? 0) + 1)
        await sendMessage(stream, new TextEncoder().encode(text))
        return new TextDecoder().decode(await reader.readMessage(64) ?? new Uint8Array(0))
      }, { rerunnable })
    } finally {
      await requests.close()
    }
  }

  it('a stream refused while the peer is at its limit is opened again once there is room, and the request goes through', async () => {
    const first = ask('one')
    // the server holds 'one' on its only stream: the second stream is refused (reset) until 'one' is answered
    await waitUntil('the server to read the first request', () => received.length === 1, 20_000, 5)
    const second = ask('two')
    // a second open for 'two' means its first stream was refused, and it is trying again
    await waitUntil('a second attempt for the refused request', () => dials >= 2, 20_000, 5)
    assert.deepEqual(received, ['one'], 'the refused request did not reach the handler')
    openGate()
    assert.equal(await first, 'one')
    assert.equal(await second, 'two')
    assert.deepEqual(received, ['one', 'two'])
  })

  it('without rerunnable, a request on a refused stream fails at once (its bytes may have come from a source it drained)', async () => {
    const first = ask('one')
    await waitUntil('the server to read the first request', () => received.length === 1, 20_000, 5)
    // the server still holds 'one': the second stream is refused, and the request is not run again
    const second = await ask('two', false).then((answer) => answer, (err: Error) => err)
    assert.ok(second instanceof Error, `refused, but got ${String(second)}`)
    assert.equal(runs.get('two'), 1, 'the request was not run again')
    openGate()
    assert.equal(await first, 'one')
    assert.deepEqual(received, ['one'])
  })

  it('gives up when the peer stays at its limit', async () => {
    // twelve at once against a limit of one held until the others are done: eleven use up their retries
    const asks = Array.from({ length: 12 }, async (_, i) => await ask(`hold-${i}`).catch((err: Error) => err))
    let settled = 0
    for (const one of asks) void one.then(() => { settled++ })
    await waitUntil('eleven requests to give up', () => settled >= 11, 20_000, 5)
    openGate()
    const results = await Promise.all(asks)
    const refused = results.filter((r): r is Error => r instanceof Error)
    assert.equal(refused.length, 11, 'every request but the one holding the stream outlasted the retries')
    for (const err of refused) assert.ok(['StreamRefusedError', 'StreamResetError', 'StreamStateError'].includes(err.name), err.name)
    assert.equal(received.length, 1, 'only the held request reached the handler')
    assert.deepEqual(results.filter((r) => typeof r === 'string'), received, 'and it got its answer')
  })
})
