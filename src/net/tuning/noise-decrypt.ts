import { Uint8ArrayList } from 'uint8arraylist'
import { decryptUsesDestination } from './noise-crypto.ts'
import { isRingBacked } from './socket-reads.ts'
import { reportMiss, tuningStatus, type TuningWarn } from './status.ts'

/** Noise's largest message on the wire, tag included, and its tag (ChaCha20-Poly1305) */
export const NOISE_MESSAGE_BYTES = 65535
export const TAG_BYTES = 16

/** The parts of Noise's encrypted connection this touches. */
interface DecryptsMessages {
  decrypt?: (chunk: Uint8Array | Uint8ArrayList) => unknown
  handshake?: { decrypt?: (ciphertext: Uint8Array | Uint8ArrayList, dst?: Uint8Array) => Uint8Array | Uint8ArrayList }
  metrics?: { decryptedPackets?: { increment: () => void }, decryptErrors?: { increment: () => void } }
}

/**
 * Noise decrypts each message it reads after making a contiguous
 * "destination" view of its ciphertext for the cipher to write into. A
 * message that arrived over two socket reads is two pieces, so that view is
 * a copy, and in a bulk transfer nearly every message arrives so. The cipher
 * we give Noise (noise-crypto.ts) uses that view only for small messages, so
 * this decrypt makes it only for them, or where it costs no copy. Otherwise
 * it does what Noise's does: the same messages, checks and metrics.
 *
 * A connection of another shape (another encrypter, a later Noise) is left
 * as it is, and the miss reported (status.ts).
 *
 * Bytes a dialed socket read into its ring (socket-reads.ts) are overwritten
 * by later reads, so a message among them is never decrypted in place: the
 * cipher writes a buffer of its own, which is what goes up the stack.
 */
export function decryptWithoutCopies<T> (connection: T, warn?: TuningWarn): T {
  const target = connection as T & DecryptsMessages
  const handshake = target.handshake
  if (typeof target.decrypt !== 'function' || typeof handshake?.decrypt !== 'function') {
    reportMiss('noise-decrypt', 'the secured connection has no decrypt step or handshake cipher', warn)
    return connection
  }
  tuningStatus['noise-decrypt'].applied++
  const decrypt = handshake.decrypt.bind(handshake)
  target.decrypt = (chunk: Uint8Array | Uint8ArrayList): Uint8ArrayList => {
    tuningStatus['noise-decrypt'].used++
    const output = new Uint8ArrayList()
    const contiguous = chunk instanceof Uint8Array
    const inRing = contiguous ? isRingBacked(chunk) : someRingBacked(chunk)
    for (let start = 0; start < chunk.byteLength; start += NOISE_MESSAGE_BYTES) {
      const end = Math.min(start + NOISE_MESSAGE_BYTES, chunk.byteLength)
      if (end - TAG_BYTES < start) throw new Error('Invalid chunk')
      const encrypted = contiguous ? chunk.subarray(start, end) : chunk.sublist(start, end)
      // free when contiguous; otherwise a copy, made only for a cipher that writes into it
      const dst = !inRing && (contiguous || decryptUsesDestination(end - start)) ? chunk.subarray(start, end - TAG_BYTES) : undefined
      try {
        output.append(decrypt(encrypted, dst))
        target.metrics?.decryptedPackets?.increment()
      } catch (err) {
        target.metrics?.decryptErrors?.increment()
        throw err
      }
    }
    return output
  }
  return connection
}

function someRingBacked (list: Uint8ArrayList): boolean {
  for (const piece of list) if (isRingBacked(piece)) return true
  return false
}
