import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { createPeer, dialableAddrs } from '../../src/net/libp2p.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { tunedNoise } from '../../src/net/tuning/noise-connection.ts'
import { TUNING_PATCHES, tuningStatus, type PatchCounts, type TuningPatch } from '../../src/net/tuning/status.ts'

/** reads a 4-byte length and that many bytes, then answers with as many bytes of its own and their sha256 */
const EXCHANGE_PROTOCOL = '/dfs-test/tuning-exchange/1.0.0'
const EXCHANGE_BYTES = 4 * 1024 * 1024
const PIECE_BYTES = 256 * 1024

async function serveExchange (peer: Libp2p): Promise<void> {
  await peer.handle(EXCHANGE_PROTOCOL, async (stream) => {
    const reader = new StreamReader(stream)
    try {
      const header = await reader.readMessage(16)
      const length = new DataView(header!.buffer, header!.byteOffset).getUint32(0)
      for await (const _ of reader.readBytes(length)) { /* drain */ }
      const answer = randomBytes(length)
      await sendMessage(stream, createHash('sha256').update(answer).digest())
      for (let at = 0; at < length; at += PIECE_BYTES) await sendBytes(stream, answer.subarray(at, at + PIECE_BYTES))
      await stream.close()
    } finally {
      reader.release()
    }
  })
}

/** Upload and download EXCHANGE_BYTES over one stream; the downloaded bytes must match their hash. */
async function exchange (client: Libp2p, server: Libp2p): Promise<void> {
  const stream = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), EXCHANGE_PROTOCOL)
  const reader = new StreamReader(stream)
  try {
    const header = new Uint8Array(4)
    new DataView(header.buffer).setUint32(0, EXCHANGE_BYTES)
    await sendMessage(stream, header)
    const upload = randomBytes(EXCHANGE_BYTES)
    for (let at = 0; at < EXCHANGE_BYTES; at += PIECE_BYTES) await sendBytes(stream, upload.subarray(at, at + PIECE_BYTES))
    const expected = await reader.readMessage(64)
    const hash = createHash('sha256')
    for await (const piece of reader.readBytes(EXCHANGE_BYTES)) hash.update(piece)
    assert.deepEqual(hash.digest(), Buffer.from(expected ?? []), 'the downloaded bytes differ from what the server sent')
    await stream.close()
  } finally {
    reader.release()
  }
}

function snapshot (): Record<TuningPatch, PatchCounts> {
  return Object.fromEntries(TUNING_PATCHES.map((patch) => [patch, { ...tuningStatus[patch] }])) as Record<TuningPatch, PatchCounts>
}

describe('libp2p tuning: every patch of Noise, yamux and tcp internals takes effect (real peers on 127.0.0.1)', function () {
  this.timeout(60_000)

  it('a connection between two dfs peers is patched by each, and each patched step runs during a transfer', async () => {
    const warnings: string[] = []
    const before = snapshot()
    const server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'], warnTuning: (message) => warnings.push(message) })
    const client = await createPeer({ warnTuning: (message) => warnings.push(message) })
    try {
      await serveExchange(server)
      await exchange(client, server)
    } finally {
      await client.stop()
      await server.stop()
    }
    const problems = TUNING_PATCHES.flatMap((patch) => {
      const applied = tuningStatus[patch].applied - before[patch].applied
      const missed = tuningStatus[patch].missed - before[patch].missed
      const used = tuningStatus[patch].used - before[patch].used
      return missed > 0 || applied === 0 || used === 0 ? [`${patch}: applied ${applied}, missed ${missed}, ran ${used} time(s)`] : []
    })
    assert.deepEqual(problems, [], `patches that did not take effect (see src/net/tuning/README.md):\n${problems.join('\n')}`)
    assert.deepEqual(warnings, [])
  })

  it('a patch that cannot apply warns once per patch, however many connections miss it, and transfers still work', async () => {
    const warnings: string[] = []
    // stock TCP (no ring for dialed sockets) and Noise with its own cipher: two patches cannot apply
    const make = async (listen: string[]): Promise<Libp2p> => await createLibp2p({
      addresses: { listen },
      transports: [tcp()],
      connectionEncrypters: [tunedNoise(noise(), (message) => warnings.push(message))],
      streamMuxers: [yamux()]
    })
    const before = snapshot()
    const server = await make(['/ip4/127.0.0.1/tcp/0'])
    const clients = [await make([]), await make([])]
    try {
      await serveExchange(server)
      for (const client of clients) await exchange(client, server)
    } finally {
      for (const client of clients) await client.stop()
      await server.stop()
    }
    assert.equal(tuningStatus['noise-crypto'].missed - before['noise-crypto'].missed, 3, 'each peer\'s Noise is one miss')
    assert.equal(tuningStatus['socket-reads'].missed - before['socket-reads'].missed, 2, 'each dialed connection is one miss')
    assert.equal(warnings.length, 2, `warnings: ${warnings.join(' | ')}`)
    assert.match(warnings[0], /^libp2p tuning "noise-crypto" did not apply \(Noise does not use the cipher it was given\): transfers work but are slower/)
    assert.match(warnings[1], /^libp2p tuning "socket-reads" did not apply \(a dialed socket does not read into a ring/)
  })
})
