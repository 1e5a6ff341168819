import type { Libp2p } from 'libp2p'
import type { AbortOptions } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { sendMessage } from '../net/stream-io.ts'
import { RequestStreamPool } from '../net/request-stream.ts'
import { DIRECTORY_PROTOCOL, MAX_DIRECTORY_MESSAGE_BYTES } from '../protocol/constants.ts'
import { DirectoryRequest, DirectoryResponse, Status } from '../protocol/pb/directory.ts'
import { ProtocolError } from '../errors.ts'
import { directoryError } from '../protocol/status.ts'
import { Deadline } from '../util/deadline.ts'

/** how long a request waits for the directory's answer when its caller set no limit */
const REQUEST_TIMEOUT_MS = 30_000

/**
 * Streams kept open to the directory. Requests on one stream go one at a
 * time; a few streams let concurrent uploads and downloads ask at once, so the
 * directory can answer them together (one group commit for many files).
 * Opened as needed: a CLI run that asks one thing opens one.
 */
const DIRECTORY_STREAMS = 4

/** Client side of /dfs/directory/1.0.0: requests over a few reused streams. */
export class DirectoryClient {
  private readonly pool: RequestStreamPool

  constructor (libp2p: Libp2p, readonly address: Multiaddr) {
    this.pool = new RequestStreamPool(libp2p, () => [address], DIRECTORY_PROTOCOL, 'the directory', DIRECTORY_STREAMS)
  }

  /** requests sent so far (what batching saves shows here) */
  requestsSent = 0

  async request (request: Partial<DirectoryRequest>, options?: AbortOptions): Promise<DirectoryResponse> {
    this.requestsSent++
    // a limit of its own when the caller set none; cleared with the answer (see Deadline)
    const deadline = options?.signal == null ? new Deadline(REQUEST_TIMEOUT_MS) : undefined
    const signal = options?.signal ?? deadline?.signal
    let response: DirectoryResponse
    try {
      response = await this.pool.pick().run(async (stream, reader) => {
        await sendMessage(stream, DirectoryRequest.encode(request), { signal })
        const bytes = await reader.readMessage(MAX_DIRECTORY_MESSAGE_BYTES, { signal })
        if (bytes == null) throw new ProtocolError('the directory closed the stream without answering')
        return DirectoryResponse.decode(bytes)
      }, { signal, rerunnable: true })
    } finally {
      deadline?.clear()
    }
    if (response.status !== Status.OK) throw directoryError(response.status, response.message)
    return response
  }

  async close (): Promise<void> {
    await this.pool.close()
  }
}
