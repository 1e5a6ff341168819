import type { Libp2p } from 'libp2p'
import type { AbortOptions } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { sendMessage } from '../net/stream-io.ts'
import { RequestStream } from '../net/request-stream.ts'
import { DIRECTORY_PROTOCOL, MAX_DIRECTORY_MESSAGE_BYTES } from '../protocol/constants.ts'
import { DirectoryRequest, DirectoryResponse, Status } from '../protocol/directory.ts'
import { ForbiddenError, InvalidInputError, NoCapacityError, NotFoundError, ProtocolError, RemoteError } from '../errors.ts'

/**
 * Streams kept open to the directory. Requests on one stream go one at a
 * time; a few streams let concurrent uploads and downloads ask at once, so the
 * directory can answer them together (one group commit for many files).
 * Opened as needed: a CLI run that asks one thing opens one.
 */
const DIRECTORY_STREAMS = 4

/** Client side of /dfs/directory/1.0.0: requests over a few reused streams. */
export class DirectoryClient {
  private readonly pool: RequestStream[] = []

  constructor (private readonly libp2p: Libp2p, readonly address: Multiaddr) {}

  /** An idle stream, a new one while there are fewer than DIRECTORY_STREAMS, else the least busy. */
  private get requests (): RequestStream {
    const idle = this.pool.find((stream) => stream.pending === 0)
    if (idle != null) return idle
    if (this.pool.length < DIRECTORY_STREAMS) {
      const stream = new RequestStream(this.libp2p, () => [this.address], DIRECTORY_PROTOCOL, 'the directory')
      this.pool.push(stream)
      return stream
    }
    return this.pool.reduce((best, stream) => stream.pending < best.pending ? stream : best)
  }

  async request (request: Partial<DirectoryRequest>, options?: AbortOptions): Promise<DirectoryResponse> {
    const signal = options?.signal ?? AbortSignal.timeout(30_000)
    const response = await this.requests.run(async (stream, reader) => {
      await sendMessage(stream, DirectoryRequest.encode(request), { signal })
      const bytes = await reader.readMessage(MAX_DIRECTORY_MESSAGE_BYTES, { signal })
      if (bytes == null) throw new ProtocolError('the directory closed the stream without answering')
      return DirectoryResponse.decode(bytes)
    }, { signal })
    switch (response.status) {
      case Status.OK: return response
      case Status.NOT_FOUND: throw new NotFoundError(response.message)
      case Status.INVALID: throw new InvalidInputError(response.message)
      case Status.UNAVAILABLE: throw new NoCapacityError(response.message)
      case Status.FORBIDDEN: throw new ForbiddenError(response.message)
      default: throw new RemoteError(`the directory failed: ${response.message}`)
    }
  }

  async close (): Promise<void> {
    await Promise.all(this.pool.map(async (stream) => { await stream.close() }))
  }
}
