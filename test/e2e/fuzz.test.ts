import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { multiaddr } from '@multiformats/multiaddr'
import { encode as encodeVarint, encodingLength } from 'uint8-varint'
import type { Libp2p } from 'libp2p'
import { Cluster } from '../helpers/cluster.ts'
import { createPeer } from '../../src/net/libp2p.ts'
import { openStream } from '../../src/net/dial.ts'
import { StreamReader } from '../../src/net/stream-io.ts'
import { DIRECTORY_PROTOCOL, INVENTORY_PROTOCOL, REGISTER_PROTOCOL, STORE_PROTOCOL } from '../../src/protocol/constants.ts'
import { DirectoryRequest, InventoryPage, RegisterRequest } from '../../src/protocol/pb/directory.ts'
import { StoreRequest } from '../../src/protocol/pb/store.ts'

/** Runs per kind of input per protocol: enough to hit every decoder path, quick enough for CI. */
const RUNS = 100
/** A peer must answer or close a hostile stream within this; longer counts as a hang. */
const STREAM_DEADLINE_MS = 15_000

function framed (message: Uint8Array): Uint8Array {
  const out = new Uint8Array(encodingLength(message.byteLength) + message.byteLength)
  encodeVarint(message.byteLength, out)
  out.set(message, out.byteLength - message.byteLength)
  return out
}

/**
 * Send `bytes` on a new stream, close our side, and read until the peer ends
 * the stream. Resolves with how it ended; rejects only if the peer neither
 * answers nor closes in time (a hang), which is the failure we look for.
 */
async function probe (peer: Libp2p, addr: string, protocol: string, bytes: Uint8Array): Promise<string> {
  const deadline = AbortSignal.timeout(STREAM_DEADLINE_MS)
  const stream = await openStream(peer, multiaddr(addr), protocol, 'the peer', { signal: deadline })
  const reader = new StreamReader(stream)
  try {
    if (bytes.byteLength > 0 && !stream.send(bytes)) await stream.onDrain({ signal: deadline })
    await stream.close({ signal: deadline }).catch(() => {})
    while (true) {
      const reply = await reader.readMessage(16 * 1024 * 1024, { signal: deadline })
      if (reply == null) return 'closed'
    }
  } catch (err) {
    if (deadline.aborted) throw new Error(`${protocol}: the peer neither answered nor closed within ${STREAM_DEADLINE_MS} ms`)
    return (err as Error).name // reset, or ended mid-message: the peer gave up on us, as it should
  } finally {
    reader.release()
    stream.abort(new Error('probe done'))
  }
}

const text = fc.string({ maxLength: 300 })
const anyNumber = fc.oneof(fc.nat(), fc.constant(2 ** 32 - 1), fc.constant(Number.MAX_SAFE_INTEGER))

/** Well-formed protobuf with wrong or hostile field values, one arbitrary per protocol. */
const plausible: Record<string, fc.Arbitrary<Uint8Array>> = {
  [DIRECTORY_PROTOCOL]: fc.oneof(
    fc.record({ name: text, size: fc.option(anyNumber, { nil: undefined }), chunkSize: fc.nat(), replicas: fc.nat() }).map((begin) => DirectoryRequest.encode({ begin })),
    fc.record({ uploadId: text, first: fc.nat(), count: fc.nat(), exclude: fc.array(text, { maxLength: 5 }), need: fc.nat() }).map((place) => DirectoryRequest.encode({ place })),
    fc.record({ uploadId: text, fileId: text, size: anyNumber, final: fc.boolean(), chunks: fc.array(fc.record({ index: fc.nat(), id: text, offset: anyNumber, size: fc.nat(), peers: fc.array(text, { maxLength: 3 }) }), { maxLength: 5 }) }).map((complete) => DirectoryRequest.encode({ complete })),
    fc.record({ ref: text, chunkStart: fc.nat(), chunkLimit: fc.nat(), nodesVersion: anyNumber }).map((resolve) => DirectoryRequest.encode({ resolve })),
    fc.record({ after: text, limit: fc.nat() }).map((list) => DirectoryRequest.encode({ list })),
    fc.record({ chunkId: text, peerId: text }).map((reportCorrupt) => DirectoryRequest.encode({ reportCorrupt })),
    fc.constant(DirectoryRequest.encode({}))
  ),
  [REGISTER_PROTOCOL]: fc.record({
    addrs: fc.array(fc.oneof(text, fc.constant('/ip4/127.0.0.1/tcp/1'), fc.constant('/ip4/127.0.0.1/tcp/1/p2p/12D3KooWRyAx65zMoiajQGj9pRCocCjsacyBgCB8Xv5WspKXbcYe')), { maxLength: 40 }),
    capacity: anyNumber,
    used: anyNumber,
    chunks: anyNumber,
    results: fc.array(fc.record({ type: fc.constantFrom(0, 1, 2), chunkId: text, target: text, ok: fc.boolean(), message: text }), { maxLength: 5 }),
    corrupt: fc.array(text, { maxLength: 5 }),
    membershipVersion: text
  }).map((request) => RegisterRequest.encode(request as unknown as RegisterRequest)),
  [INVENTORY_PROTOCOL]: fc.record({ chunks: fc.array(text, { maxLength: 20 }), last: fc.boolean() }).map((page) => InventoryPage.encode(page)),
  [STORE_PROTOCOL]: fc.record({
    type: fc.constantFrom(0, 1, 2),
    cid: fc.oneof(text, fc.constant('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')),
    size: fc.oneof(fc.nat({ max: 4096 }), anyNumber),
    forward: fc.array(fc.record({ peerId: text, addrs: fc.array(text, { maxLength: 3 }), grant: fc.option(fc.uint8Array({ maxLength: 400 }), { nil: undefined }) }), { maxLength: 10 }),
    grant: fc.option(fc.uint8Array({ maxLength: 600 }), { nil: undefined })
  }).map((request) => StoreRequest.encode(request as unknown as StoreRequest))
}

describe('end to end: hostile input on every protocol (fast-check)', function () {
  this.timeout(600_000)
  let cluster: Cluster
  let peer: Libp2p

  before(async () => {
    cluster = await Cluster.start({ nodes: 2 })
    peer = await createPeer({})
  })
  after(async () => {
    await peer?.stop()
    await cluster?.stop()
  })

  for (const protocol of [DIRECTORY_PROTOCOL, REGISTER_PROTOCOL, INVENTORY_PROTOCOL, STORE_PROTOCOL]) {
    const target = (): string => protocol === STORE_PROTOCOL ? cluster.nodes[0].addr : cluster.directoryAddr

    it(`${protocol}: random bytes, truncated and oversized messages, and well-formed nonsense never hang or crash the peer`, async () => {
      const kinds: Array<[string, fc.Arbitrary<Uint8Array>]> = [
        ['random bytes', fc.uint8Array({ maxLength: 4096 })],
        ['truncated message', fc.tuple(plausible[protocol], fc.double({ min: 0, max: 1, noNaN: true })).map(([message, cut]) => framed(message).subarray(0, Math.floor(framed(message).byteLength * cut)))],
        ['oversized length prefix', fc.tuple(fc.integer({ min: 17 * 1024 * 1024, max: 2 ** 31 }), fc.uint8Array({ maxLength: 64 })).map(([length, rest]) => {
          const prefix = new Uint8Array(encodingLength(length))
          encodeVarint(length, prefix)
          return Buffer.concat([prefix, rest])
        })],
        ['well-formed nonsense', fc.array(plausible[protocol], { minLength: 1, maxLength: 3 }).map((messages) => Buffer.concat(messages.map(framed)))]
      ]
      for (const [kind, arbitrary] of kinds) {
        await fc.assert(fc.asyncProperty(arbitrary, async (bytes) => {
          await probe(peer, target(), protocol, bytes)
        }), { numRuns: RUNS, endOnFailure: true })
        assert.equal(cluster.directory.proc.exitCode, null, `the directory survived ${kind}`)
        for (const node of cluster.nodes) assert.equal(node.proc.exitCode, null, `the node survived ${kind}`)
      }
    })
  }

  it('afterwards every peer still serves a normal upload and download, byte for byte', async () => {
    // a fuzzed registration may have made the fuzzer look like a node: wait until it counts as dead
    await cluster.waitFor('only the real nodes to be alive', async () => {
      const nodes = await cluster.json(['nodes'])
      return nodes.filter((n: { alive: boolean }) => n.alive).length === 2
    })
    const file = join(cluster.root, 'after-fuzz.bin')
    const content = randomBytes(5 * 1024 * 1024 + 3)
    await writeFile(file, content)
    const up = await cluster.client(['upload', file, '--replicas', '2', '--chunk-size', '1MiB'])
    assert.equal(up.code, 0, up.stderr)
    const out = join(cluster.root, 'after-fuzz.out')
    const down = await cluster.client(['download', up.stdout.trim(), out])
    assert.equal(down.code, 0, down.stderr)
    assert.ok((await readFile(out)).equals(content))
    for (const p of [cluster.directory, ...cluster.nodes]) {
      assert.equal(p.proc.exitCode, null)
      assert.doesNotMatch(p.stderr, /Uncaught|unhandled|FATAL|heap out of memory/i)
    }
  })
})
