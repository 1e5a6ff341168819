import assert from 'node:assert/strict'
import { streamPair } from '@libp2p/utils'
import { encode as encodeVarint, encodingLength } from 'uint8-varint'
import { serveRequests, type RequestLoopOptions } from '../../src/net/request-loop.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { DirectoryRequest, DirectoryResponse, Status } from '../../src/protocol/pb/directory.ts'
import { directoryStatusOf } from '../../src/protocol/status.ts'
import { NotFoundError } from '../../src/errors.ts'
import { Drain } from '../../src/util/drain.ts'

type Reply = Partial<DirectoryResponse>

/** A loop over a real in-process stream pair, answering list requests with their `after`; the client's end and the loop's promise. */
async function serve (overrides: Partial<RequestLoopOptions<DirectoryRequest, Reply>> = {}): Promise<{ client: Awaited<ReturnType<typeof streamPair>>[0], reader: StreamReader, served: Promise<void>, handled: DirectoryRequest[], streamErrors: unknown[] }> {
  const [client, server] = await streamPair()
  const handled: DirectoryRequest[] = []
  const streamErrors: unknown[] = []
  const served = serveRequests<DirectoryRequest, Reply>(server, {
    decode: (bytes) => DirectoryRequest.decode(bytes),
    encode: (reply) => DirectoryResponse.encode({ status: Status.OK, message: '', uploadId: '', placements: [], nodes: [], chunks: [], files: [], grants: [], ...reply }),
    maxMessageBytes: 1024,
    idleTimeoutMs: 5_000,
    handle: async (request) => {
      handled.push(request)
      if (request.remove != null) throw new NotFoundError(`no file "${request.remove.ref}"`)
      return { message: request.list?.after ?? '' }
    },
    errorReply: (err) => ({ status: directoryStatusOf(err), message: (err as Error).message }),
    onStreamError: (err) => { streamErrors.push(err) },
    ...overrides
  })
  return { client, reader: new StreamReader(client), served, handled, streamErrors }
}

async function reply (reader: StreamReader): Promise<DirectoryResponse> {
  const bytes = await reader.readMessage(1024 * 1024, { signal: AbortSignal.timeout(5_000) })
  assert.ok(bytes != null, 'a reply came')
  return DirectoryResponse.decode(bytes)
}

/** Resolves true once the server ended the stream (its side closed or reset), false if it only kept it open. */
async function endedByServer (reader: StreamReader, limitMs: number): Promise<boolean> {
  try {
    return await reader.readMessage(1024 * 1024, { signal: AbortSignal.timeout(limitMs) }) == null
  } catch (err) {
    return (err as Error).name !== 'TimeoutError'
  }
}

const list = (after: string): Uint8Array => DirectoryRequest.encode({ list: { after, limit: 0 } })

describe('the request loop over a real in-process stream pair', () => {
  it('answers each request in turn on one stream, and closes when the peer closes', async () => {
    const { client, reader, served } = await serve()
    for (const name of ['a', 'b', 'c']) await sendMessage(client, list(name))
    assert.deepEqual([(await reply(reader)).message, (await reply(reader)).message, (await reply(reader)).message], ['a', 'b', 'c'])
    await client.close()
    await served
    assert.equal(await endedByServer(reader, 2_000), true)
  })

  it('a handler\'s error becomes a reply with its status, and the stream goes on', async () => {
    const { client, reader, served } = await serve()
    await sendMessage(client, DirectoryRequest.encode({ remove: { ref: 'x' } }))
    assert.deepEqual(await reply(reader).then((r) => [r.status, r.message]), [Status.NOT_FOUND, 'no file "x"'])
    await sendMessage(client, list('next'))
    assert.deepEqual(await reply(reader).then((r) => [r.status, r.message]), [Status.OK, 'next'])
    await client.close()
    await served
  })

  it('a malformed message gets INVALID, then the stream ends and nothing more is handled', async () => {
    const { client, reader, served, handled, streamErrors } = await serve()
    // field 1 (begin) as a length-delimited field claiming more bytes than follow
    await sendMessage(client, Uint8Array.from([0x0a, 0x7f, 0x01]))
    await sendMessage(client, list('after the bad one')).catch(() => {})
    const answer = await reply(reader)
    assert.equal(answer.status, Status.INVALID)
    assert.notEqual(answer.message, '')
    await served
    assert.equal(await endedByServer(reader, 2_000), true)
    assert.deepEqual(handled, [])
    assert.equal(streamErrors.length, 1)
  })

  it('refuses an oversized message without reading it: INVALID, and the stream ends', async () => {
    const { client, reader, served, handled } = await serve()
    const length = 4096
    const prefix = new Uint8Array(encodingLength(length))
    encodeVarint(length, prefix)
    await sendBytes(client, prefix)
    const answer = await reply(reader)
    assert.equal(answer.status, Status.INVALID)
    assert.match(answer.message, /message of 4096 bytes is over the limit of 1024/)
    await served
    assert.equal(await endedByServer(reader, 2_000), true)
    assert.deepEqual(handled, [])
  })

  it('closes a stream that stays quiet for the idle timeout, between requests and mid-message', async () => {
    const between = await serve({ idleTimeoutMs: 300 })
    await sendMessage(between.client, list('one'))
    assert.equal((await reply(between.reader)).message, 'one')
    const started = Date.now()
    await between.served
    assert.equal(await endedByServer(between.reader, 2_000), true)
    assert.ok(Date.now() - started >= 250, `closed after ${Date.now() - started} ms, not before the idle timeout`)
    assert.deepEqual(between.streamErrors, [], 'quiet between requests is a goodbye, not an error')

    const midMessage = await serve({ idleTimeoutMs: 300 })
    // a length prefix of 10 bytes, then only 2 of them
    await sendBytes(midMessage.client, Uint8Array.from([10, 0x0a, 0x00]))
    await midMessage.served
    const answer = await reply(midMessage.reader)
    assert.equal(answer.status, Status.INVALID)
    assert.match(answer.message, /sent nothing for 300 ms/)
  })

  it('once the peer is stopping, a request gets the shutdown reply and the stream closes', async () => {
    const drain = new Drain()
    const { client, reader, served, handled } = await serve({ shutdown: { drain, reply: () => ({ status: Status.ERROR, message: 'shutting down' }) } })
    await sendMessage(client, list('before'))
    assert.equal((await reply(reader)).message, 'before')
    assert.equal(await drain.drain(1_000), true, 'no request in flight between requests')
    await sendMessage(client, list('after'))
    assert.deepEqual(await reply(reader).then((r) => [r.status, r.message]), [Status.ERROR, 'shutting down'])
    await served
    assert.equal(handled.length, 1)
  })

  it('with onHandlerError "end", a handler\'s error fails the stream: INVALID, then closed', async () => {
    const { client, reader, served, streamErrors } = await serve({
      onHandlerError: 'end',
      handle: async () => { throw new Error('left mid-transfer') }
    })
    await sendMessage(client, list('x'))
    assert.deepEqual(await reply(reader).then((r) => [r.status, r.message]), [Status.INVALID, 'left mid-transfer'])
    await served
    assert.equal(await endedByServer(reader, 2_000), true)
    assert.equal((streamErrors[0] as Error).message, 'left mid-transfer')
  })

  it('maxRequests: the stream closes after that many replies', async () => {
    const { client, reader, served } = await serve({ maxRequests: 1 })
    await sendMessage(client, list('only'))
    assert.equal((await reply(reader)).message, 'only')
    await served
    assert.equal(await endedByServer(reader, 2_000), true)
  })
})
