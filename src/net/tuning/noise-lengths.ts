import type { Uint8ArrayList } from 'uint8arraylist'
import { reportMiss, tuningStatus, type TuningWarn } from './status.ts'

/**
 * Noise cuts the bytes a connection reads into messages with @libp2p/utils'
 * LengthPrefixedDecoder, whose length decoder (Noise's `uint16BEDecode`)
 * throws a RangeError when fewer than 2 bytes are left; the decoder catches
 * it to mean "wait for more bytes". That is the end of nearly every socket
 * read, so every read would build an Error and its stack trace, a cost that
 * small requests (a client resolving names, the directory answering) feel most.
 *
 * This decoder gives the same lengths without throwing. With fewer than 2
 * bytes it says 0: Noise counts every prefix as 2 bytes (`encodingLength`),
 * so the decoder sees a 2-byte message it does not hold yet and stops, just
 * as it does on the RangeError, consuming nothing. The wire format is
 * unchanged.
 */
export function noiseLength (data: Uint8Array | Uint8ArrayList): number {
  if (data.byteLength < 2) return 0
  if (data instanceof Uint8Array) return (data[0] << 8) | data[1]
  return data.getUint16(0)
}

/** The part of Noise's encrypted connection this touches: its message decoder. */
interface DecodesMessages {
  decoder?: { lengthDecoder?: unknown }
}

/** `noiseLength`, counted as the patch's use (status.ts). */
function countedNoiseLength (data: Uint8Array | Uint8ArrayList): number {
  tuningStatus['noise-lengths'].used++
  return noiseLength(data)
}

/**
 * Give a secured connection's message decoder `noiseLength`. A connection
 * of another shape (another encrypter, a later Noise without this decoder)
 * is left as it is, and the miss reported: it works unpatched, only a
 * little slower.
 */
export function decodeLengthsWithoutThrowing<T> (connection: T, warn?: TuningWarn): T {
  const decoder = (connection as DecodesMessages).decoder
  if (decoder == null || typeof decoder.lengthDecoder !== 'function') {
    reportMiss('noise-lengths', 'the secured connection has no message decoder with a lengthDecoder', warn)
    return connection
  }
  decoder.lengthDecoder = countedNoiseLength
  tuningStatus['noise-lengths'].applied++
  return connection
}
