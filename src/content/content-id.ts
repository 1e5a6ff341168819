import { createHash, type Hash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { InvalidInputError } from '../errors.ts'

/** multicodec of a file manifest: DAG-JSON (see manifest.ts) */
export const DAG_JSON_CODE = 0x0129

/**
 * Content IDs are CIDv1 with sha2-256.
 * - A chunk's ID: raw codec, the hash of the chunk's bytes.
 * - A file's ID: dag-json codec, the hash of its manifest (the list of its
 *   chunk IDs and its size), so every byte is bound to the file ID through
 *   its chunk's ID and is hashed once, not twice.
 */
export function cidFromDigest (digest: Uint8Array, code: number = raw.code): string {
  return CID.createV1(code, createDigest(sha256.code, digest)).toString()
}

export function newHasher (): Hash {
  return createHash('sha256')
}

export type ContentKind = 'chunk' | 'file'

/**
 * Parse a chunk or file ID and return its canonical string and sha2-256
 * digest. Only what we make is accepted, and the canonical base32 string of a
 * chunk ID is safe to use as a file name.
 */
export function parseContentId (value: string, kind: ContentKind = 'chunk'): { id: string, digest: Uint8Array } {
  let cid: CID
  try {
    cid = CID.parse(value)
  } catch {
    throw new InvalidInputError(`"${value.slice(0, 80)}" is not a content ID (CID)`)
  }
  const code = kind === 'chunk' ? raw.code : DAG_JSON_CODE
  if (cid.version !== 1 || cid.code !== code || cid.multihash.code !== sha256.code) {
    throw new InvalidInputError(`${value.slice(0, 80)} is not a dfs ${kind} ID (CIDv1, ${kind === 'chunk' ? 'raw' : 'dag-json'}, sha2-256)`)
  }
  return { id: cid.toString(), digest: cid.multihash.digest }
}

/**
 * Every ID we make is lower-case base32 starting with `b` (CIDv1, sha2-256):
 * 59 characters for a chunk, 61 for a file. A cheap look first: names are looked up far more often
 * than IDs, and a failed parse costs an exception.
 */
const CID_SHAPE = /^b[a-z2-7]{58,60}$/

export function isContentId (value: string, kind: ContentKind = 'chunk'): boolean {
  if (!CID_SHAPE.test(value)) return false
  try {
    parseContentId(value, kind)
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
