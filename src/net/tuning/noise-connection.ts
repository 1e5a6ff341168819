import type { Socket } from 'node:net'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { decodeLengthsWithoutThrowing } from './noise-lengths.ts'
import { decryptWithoutCopies } from './noise-decrypt.ts'
import { readsSecured } from './socket-reads.ts'
import { noiseCrypto } from './noise-crypto.ts'
import { reportMiss, tuningStatus, type TuningWarn } from './status.ts'

/**
 * Noise hands each encrypted message to the TCP connection as a list (its
 * 2-byte length apart from the ciphertext and the tag), and @libp2p/tcp
 * writes every piece with its own socket.write, one system call each. A list
 * up to this size is joined into one buffer; a bigger one, whose pieces are
 * not worth copying, is written corked, so it goes in one writev.
 */
export const COALESCE_BYTES = 4096

type EncrypterFactory = (components: any) => ConnectionEncrypter

/** The underlying connection's send step, where the pieces of a list become writes. */
interface SendsData {
  sendData: (data: Uint8ArrayList) => unknown
}

function writeListsAtOnce<T extends MessageStream> (connection: T, warn?: TuningWarn): T {
  const target = connection as T & Partial<SendsData> & { socket?: Partial<Socket> }
  // another transport, or a later @libp2p/utils without this step: leave it as it is
  if (typeof target.sendData !== 'function') {
    reportMiss('noise-writes', 'the transport connection has no sendData step', warn)
    return connection
  }
  const sendData = target.sendData.bind(connection)
  // @libp2p/tcp's connection keeps its net.Socket here; without one, big lists go unpatched
  const socket = typeof target.socket?.cork === 'function' ? target.socket as Socket : undefined
  if (socket == null) reportMiss('noise-writes', 'the transport connection has no net.Socket', warn)
  else tuningStatus['noise-writes'].applied++
  target.sendData = (data: Uint8ArrayList) => {
    tuningStatus['noise-writes'].used++
    if (data.byteLength <= COALESCE_BYTES) return sendData(new Uint8ArrayList(data.subarray()))
    if (socket == null) return sendData(data)
    // all of the list, not just up to the socket's high-water mark as @libp2p/tcp does: the bytes
    // are in memory already, and the answer below still tells the muxer to wait for 'drain'
    socket.cork()
    for (const piece of data) socket.write(piece)
    socket.uncork()
    return { sentBytes: data.byteLength, canSendMore: socket.writableLength < socket.writableHighWaterMark }
  }
  return connection
}

/**
 * An encrypter (Noise) whose connections hand each list of pieces to the
 * socket in one system call (see COALESCE_BYTES), and whose secured
 * connections cut what they read into messages without throwing (see
 * noise-lengths.ts) and decrypt them without copying (see noise-decrypt.ts);
 * a dialed socket's reads then go into its ring (see socket-reads.ts).
 */
export function tunedNoise (factory: EncrypterFactory, warn?: TuningWarn): EncrypterFactory {
  return (components) => {
    const inner = factory(components)
    usesNoiseCrypto(inner, warn)
    const secured = <R extends { connection: unknown }>(raw: unknown, result: R): R => {
      decodeLengthsWithoutThrowing(result.connection, warn)
      decryptWithoutCopies(result.connection, warn)
      readsSecured(raw, warn)
      return result
    }
    return {
      protocol: inner.protocol,
      secureInbound: async (connection, options) => secured(connection, await inner.secureInbound(writeListsAtOnce(connection, warn), options)),
      secureOutbound: async (connection, options) => secured(connection, await inner.secureOutbound(writeListsAtOnce(connection, warn), options))
    }
  }
}

/** Noise keeps the cipher it was given as `crypto.encrypt`/`crypto.decrypt`; check it is noise-crypto.ts's. */
function usesNoiseCrypto (encrypter: ConnectionEncrypter, warn?: TuningWarn): void {
  const cipher = (encrypter as { crypto?: { encrypt?: unknown, decrypt?: unknown } }).crypto
  if (cipher?.encrypt === noiseCrypto.chaCha20Poly1305Encrypt && cipher?.decrypt === noiseCrypto.chaCha20Poly1305Decrypt) {
    tuningStatus['noise-crypto'].applied++
  } else {
    reportMiss('noise-crypto', 'Noise does not use the cipher it was given', warn)
  }
}
