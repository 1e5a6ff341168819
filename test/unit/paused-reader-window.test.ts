import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { createPeer, dialableAddrs } from '../../src/net/libp2p.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { waitUntil } from '../helpers/cluster.ts'

const PROTOCOL = '/dfs-test/paused-reader/1.0.0'
const MiB = 1024 * 1024
/** yamux's frame type for window updates */
const WINDOW_UPDATE = 1

/** A resume of the receiving stream: the window yamux had granted before and after, and whether the reader paused again at once. */
interface Resume { before: number, after: number, pausedAgain: boolean }

describe('yamux window while a reader is paused (real peers on 127.0.0.1)', function () {
  this.timeout(60_000)
  let server: Libp2p
  let client: Libp2p
  let resumes: Resume[] = []
  let received: Promise<Buffer> | undefined

  before(async () => {
    server = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    client = await createPeer({})
    await server.handle(PROTOCOL, async (stream: any) => {
      const reader = new StreamReader(stream)
      // once the window has grown, pause the stream right after it grants 4 MiB or more, so that
      // the sender's next bytes wait in the stream; resuming then hands the reader more than its
      // high-water mark at once, and it pauses again inside that resume
      let armed = false
      let disarmed = false
      let paused: () => void
      const pausedByTest = new Promise<void>((resolve) => { paused = resolve })
      const sendFrame = stream.sendFrame.bind(stream)
      stream.sendFrame = (header: { type: number, length: number }, ...rest: unknown[]) => {
        const sent = sendFrame(header, ...rest)
        if (armed && header.type === WINDOW_UPDATE && header.length >= 4 * MiB && stream.readStatus === 'readable') {
          armed = false
          disarmed = true
          stream.pause()
          paused()
        }
        return sent
      }
      received = (async () => {
        const header = await reader.readMessage(16)
        const length = new DataView(header!.buffer, header!.byteOffset).getUint32(0)
        const hash = createHash('sha256')
        let read = 0
        const resumed = (async () => {
          await pausedByTest
          await waitUntil('the sender to use up its window', () => stream.recvWindowCapacity === 0 && stream.readBuffer.byteLength >= 4 * MiB, 30_000, 5)
          const before = stream.recvWindowCapacity
          stream.resume()
          resumes.push({ before, after: stream.recvWindowCapacity, pausedAgain: stream.readStatus === 'paused' })
        })()
        for await (const piece of reader.readBytes(length)) {
          hash.update(piece)
          read += piece.byteLength
          // at full speed first, so that yamux grows the window to its maximum
          if (read >= 16 * MiB && !armed && !disarmed) armed = true
        }
        await resumed
        await sendMessage(stream, hash.digest())
        await stream.close()
        return hash.digest()
      })()
      await received.catch(() => {}).finally(() => { reader.release() })
    })
  })
  after(async () => {
    await client.stop()
    await server.stop()
  })

  it('a reader that pauses again on the bytes a resume hands it is granted no more window, and the bytes arrive whole', async () => {
    resumes = []
    const bytes = randomBytes(64 * MiB)
    const stream = await client.dialProtocol(multiaddr(dialableAddrs(server)[0]), PROTOCOL)
    const reader = new StreamReader(stream)
    try {
      const header = new Uint8Array(4)
      new DataView(header.buffer).setUint32(0, bytes.byteLength)
      await sendMessage(stream, header)
      for (let offset = 0; offset < bytes.byteLength; offset += 256 * 1024) await sendBytes(stream, bytes.subarray(offset, offset + 256 * 1024))
      const answer = await reader.readMessage(64)
      assert.ok(answer != null, `the receiver answered: ${await received?.then(() => 'it did', (err: Error) => err.message)}`)
      assert.deepEqual(Buffer.from(answer), createHash('sha256').update(bytes).digest(), 'intact')
    } finally {
      reader.release()
      await stream.close().catch(() => {})
    }
    assert.equal(resumes.length, 1)
    assert.ok(resumes[0].pausedAgain, `the reader paused again inside the resume: ${JSON.stringify(resumes)}`)
    assert.ok(resumes[0].after <= resumes[0].before, `no window granted by a resume the reader undid at once: ${JSON.stringify(resumes)}`)
  })
})
