import type { Logger as Libp2pLogger, Stream } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { StreamReader, sendBytes, sendMessage } from '../net/stream-io.ts'
import { MAX_STORE_MESSAGE_BYTES } from '../protocol/constants.ts'
import { StoreRequest, StoreResponse } from '../protocol/store.ts'
import { MAX_CHUNK_SIZE, type ChunkStore } from '../storage/chunk-store.ts'
import { errorMessage } from '../util/log.ts'

const log: Libp2pLogger = logger('dfs:node:store')

function statusOf (err: unknown): StoreResponse.Status {
  switch ((err as Error)?.name) {
    case 'InvalidInputError': return StoreResponse.Status.INVALID
    case 'IntegrityError': return StoreResponse.Status.HASH_MISMATCH
    case 'NoCapacityError': return StoreResponse.Status.FULL
    default: return StoreResponse.Status.ERROR
  }
}

async function reply (stream: Stream, response: Partial<StoreResponse>): Promise<void> {
  await sendMessage(stream, StoreResponse.encode({ status: StoreResponse.Status.OK, size: 0, message: '', ...response }))
}

/**
 * Serve `/dfs/store/1.0.0`: a sequence of requests on one stream, each
 * answered in turn. PUT bytes are streamed to the store (which verifies and
 * writes atomically); GET bytes are streamed from disk. On a failed PUT the
 * remaining announced bytes are read and dropped, so the stream stays usable.
 */
export function storeHandler (store: ChunkStore, onProblem: (message: string) => void) {
  return async (stream: Stream): Promise<void> => {
    const reader = new StreamReader(stream)
    try {
      while (true) {
        const bytes = await reader.readMessage(MAX_STORE_MESSAGE_BYTES)
        if (bytes == null) break
        const request = StoreRequest.decode(bytes)
        if (request.type === StoreRequest.Type.PUT) {
          if (request.size > MAX_CHUNK_SIZE) {
            // cannot skip an unbounded announced length: refuse and end the stream
            await reply(stream, { status: StoreResponse.Status.INVALID, message: `chunk of ${request.size} bytes is over the ${MAX_CHUNK_SIZE} byte limit` })
            break
          }
          let consumed = 0
          const counted = async function * (): AsyncGenerator<Uint8Array> {
            for await (const piece of reader.readBytes(request.size)) {
              consumed += piece.byteLength
              yield piece
            }
          }
          try {
            await store.put(request.cid, request.size, counted())
            await reply(stream, { size: request.size })
          } catch (err) {
            for await (const _ of reader.readBytes(request.size - consumed)) { /* discard the rest of this chunk */ }
            const status = statusOf(err)
            if (status === StoreResponse.Status.HASH_MISMATCH || status === StoreResponse.Status.ERROR) onProblem(`refused chunk ${request.cid}: ${errorMessage(err)}`)
            await reply(stream, { status, message: errorMessage(err) })
          }
        } else if (request.type === StoreRequest.Type.GET) {
          const chunk = await store.get(request.cid).catch((err) => err as Error)
          if (chunk instanceof Error || chunk == null) {
            await reply(stream, chunk == null
              ? { status: StoreResponse.Status.NOT_FOUND, message: `chunk ${request.cid} is not stored here` }
              : { status: statusOf(chunk), message: errorMessage(chunk) })
            continue
          }
          await reply(stream, { size: chunk.size })
          let sent = 0
          for await (const piece of chunk.bytes) {
            sent += piece.byteLength
            await sendBytes(stream, piece)
          }
          if (sent !== chunk.size) throw new Error(`chunk ${request.cid} changed size while being read`)
        } else {
          const size = await store.has(request.cid).catch((err) => err as Error)
          if (size instanceof Error) await reply(stream, { status: statusOf(size), message: errorMessage(size) })
          else if (size == null) await reply(stream, { status: StoreResponse.Status.NOT_FOUND, message: `chunk ${request.cid} is not stored here` })
          else await reply(stream, { size })
        }
      }
      await stream.close()
    } catch (err) {
      log.error('store stream failed - %e', err)
      if (stream.writeStatus === 'writable') {
        // tell the remote why before ending, then stop
        await reply(stream, { status: StoreResponse.Status.INVALID, message: errorMessage(err) }).catch(() => {})
        await stream.close().catch(() => {})
      }
      stream.abort(err as Error)
    } finally {
      reader.release()
    }
  }
}
