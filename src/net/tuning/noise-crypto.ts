import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'
import { Uint8ArrayList } from 'uint8arraylist'
import { tuningStatus } from './status.ts'

const CHACHA_POLY1305 = 'chacha20-poly1305'
const TAG_LENGTH = 16
/** Below this, noise's WebAssembly cipher beats node:crypto's per-call set-up (its own measured cut-off). */
export const SMALL_MESSAGE = 1200

/** Whether decrypting a message of this many bytes (tag included) writes into Noise's `dst` (see noise-decrypt.ts). */
export function decryptUsesDestination (ciphertextBytes: number): boolean {
  return ciphertextBytes < SMALL_MESSAGE
}

/**
 * Noise's default node:crypto backend builds a new secret KeyObject from the
 * raw key for every message and concatenates ciphertext and tag into a new
 * buffer, garbage that a small young generation pays for in GCs. This one
 * returns ciphertext and tag as a list and caches the KeyObject against the
 * key array, which a connection keeps per direction for its whole life (a
 * WeakMap, so it goes with the connection). The wire format is unchanged.
 */
const keyObjects = new WeakMap<Uint8Array, KeyObject>()

function keyObject (k: Uint8Array): KeyObject {
  let key = keyObjects.get(k)
  if (key == null) {
    key = createSecretKey(k)
    keyObjects.set(k, key)
  }
  return key
}

export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt (plaintext, nonce, ad, k) {
    if (plaintext.byteLength < SMALL_MESSAGE) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
    tuningStatus['noise-crypto'].used++
    const cipher = createCipheriv(CHACHA_POLY1305, keyObject(k), nonce, { authTagLength: TAG_LENGTH })
    cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
    const output = new Uint8ArrayList()
    if (plaintext instanceof Uint8Array) {
      output.append(cipher.update(plaintext))
    } else {
      for (const piece of plaintext) output.append(cipher.update(piece))
    }
    cipher.final() // chacha20 is a stream cipher: final() yields no bytes
    output.append(cipher.getAuthTag())
    // noise bundles uint8arraylist 2; lists of both versions recognise each other (Symbol.for)
    return output as unknown as ReturnType<ICryptoInterface['chaCha20Poly1305Encrypt']>
  },
  chaCha20Poly1305Decrypt (ciphertext, nonce, ad, k, dst) {
    if (decryptUsesDestination(ciphertext.byteLength)) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
    tuningStatus['noise-crypto'].used++
    const textLength = ciphertext.byteLength - TAG_LENGTH
    const decipher = createDecipheriv(CHACHA_POLY1305, keyObject(k), nonce, { authTagLength: TAG_LENGTH })
    decipher.setAAD(ad, { plaintextLength: textLength })
    decipher.setAuthTag(ciphertext.subarray(textLength))
    let output: Uint8Array | Uint8ArrayList
    if (ciphertext instanceof Uint8Array) {
      output = decipher.update(ciphertext.subarray(0, textLength))
    } else {
      output = new Uint8ArrayList()
      for (const piece of ciphertext.sublist(0, textLength)) output.append(decipher.update(piece))
    }
    decipher.final() // throws if the tag does not match
    return output as unknown as ReturnType<ICryptoInterface['chaCha20Poly1305Decrypt']>
  }
}
