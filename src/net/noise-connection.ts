import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { decodeLengthsWithoutThrowing } from './noise-lengths.ts'

/**
 * Noise hands each encrypted message to the TCP connection as a list, its
 * 2-byte length prefix apart from the ciphertext, and @libp2p/tcp writes
 * every piece of a list with its own socket.write: on loopback, one system
 * call each. A small message (a directory request or answer, a yamux window
 * update) thus cost two writes, and a directory answering a resolve made
 * about four (counted with strace). Joining a small list into one buffer
 * first costs a copy of at most this many bytes and saves the extra write;
 * bigger messages are left alone (their pieces are 64 KiB: the copy would
 * cost more than the call it saves).
 */
export const COALESCE_BYTES = 4096

type EncrypterFactory = (components: any) => ConnectionEncrypter

/** The underlying connection's send step, where the pieces of a list become writes. */
interface SendsData {
  sendData: (data: Uint8ArrayList) => unknown
}

function joinSmallWrites<T extends MessageStream> (connection: T): T {
  const target = connection as T & Partial<SendsData>
  // another transport, or a later @libp2p/utils without this step: leave it as it is
  if (typeof target.sendData !== 'function') return connection
  const sendData = target.sendData.bind(connection)
  target.sendData = (data: Uint8ArrayList) => sendData(data.byteLength <= COALESCE_BYTES ? new Uint8ArrayList(data.subarray()) : data)
  return connection
}

/**
 * An encrypter (Noise) whose connections write each small message with one
 * call, and whose secured connections cut what they read into messages
 * without throwing (see noise-lengths.ts).
 */
export function tunedNoise (factory: EncrypterFactory): EncrypterFactory {
  return (components) => {
    const inner = factory(components)
    const secured = <R extends { connection: unknown }>(result: R): R => {
      decodeLengthsWithoutThrowing(result.connection)
      return result
    }
    return {
      protocol: inner.protocol,
      secureInbound: async (connection, options) => secured(await inner.secureInbound(joinSmallWrites(connection), options)),
      secureOutbound: async (connection, options) => secured(await inner.secureOutbound(joinSmallWrites(connection), options))
    }
  }
}
