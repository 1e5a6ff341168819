import { createHash, type Hash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { InvalidInputError } from '../errors.ts'

/**
 * Content IDs: CIDv1, raw codec, sha2-256. A chunk's ID is the hash of its
 * bytes; a file's ID is the hash of the whole file, so it equals
 * `sha256sum FILE` and is the same whatever the chunk size.
 */
export function cidFromDigest (digest: Uint8Array): string {
  return CID.createV1(raw.code, createDigest(sha256.code, digest)).toString()
}

export function newHasher (): Hash {
  return createHash('sha256')
}

/**
 * Parse a chunk or file ID and return its canonical string and sha2-256 digest.
 * Only CIDv1/raw/sha2-256 is accepted: that is what we make, and the canonical
 * base32 string is safe to use as a file name.
 */
export function parseContentId (value: string): { id: string, digest: Uint8Array } {
  let cid: CID
  try {
    cid = CID.parse(value)
  } catch {
    throw new InvalidInputError(`"${value.slice(0, 80)}" is not a content ID (CID)`)
  }
  if (cid.version !== 1 || cid.code !== raw.code || cid.multihash.code !== sha256.code) {
    throw new InvalidInputError(`content ID ${value.slice(0, 80)} is not a CIDv1 raw sha2-256 ID`)
  }
  return { id: cid.toString(), digest: cid.multihash.digest }
}

export function isContentId (value: string): boolean {
  try {
    parseContentId(value)
    return true
  } catch {
    return false
  }
}

export function digestEquals (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
