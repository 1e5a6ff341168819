import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { Grant, GrantOp, SignedGrant } from '../protocol/pb/grant.ts'
import { ForbiddenError } from '../errors.ts'

export { GrantOp }

/** What a signature covers: a fixed context, then the encoded grant, so no other signed bytes pass for a grant. */
const CONTEXT = new TextEncoder().encode('dfs-grant-v1')
/** Longest a directory lets a grant live: a node refuses any that claims more (clocks differ, keys leak). */
export const MAX_GRANT_TTL_MS = 24 * 3600_000
/** A grant is too large to be real beyond this; checked before decoding. */
const MAX_GRANT_BYTES = 2048

function signedBytes (grant: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(CONTEXT.byteLength + grant.byteLength)
  bytes.set(CONTEXT)
  bytes.set(grant, CONTEXT.byteLength)
  return bytes
}

/** An encoded SignedGrant, as messages carry it. */
export type GrantBytes = Uint8Array<ArrayBuffer>

export interface GrantRequest {
  op: GrantOp
  node: string
  /** the peer that will present it; omit for grants passed down a chain */
  holder?: string
  /** PUT: total chunk bytes it covers; 0 or omitted: no limit */
  maxBytes?: number
  /** only this chunk */
  chunk?: string
  ttlMs: number
}

/**
 * The directory's side: signs grants with its peer key (Ed25519, through
 * node:crypto with the key object built once: signing is on the path of every
 * placement and resolve).
 */
export class GrantSigner {
  private readonly key: KeyObject

  constructor (privateKey: PrivateKey, readonly issuer: string) {
    if (privateKey.type !== 'Ed25519') throw new TypeError('grants need an Ed25519 peer key')
    const raw = privateKey.raw
    this.key = createPrivateKey({
      format: 'jwk',
      key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(raw.subarray(0, 32)).toString('base64url'), x: Buffer.from(raw.subarray(32, 64)).toString('base64url') }
    })
  }

  issue (request: GrantRequest, now = Date.now()): GrantBytes {
    const grant = Grant.encode({
      op: request.op,
      issuer: this.issuer,
      node: request.node,
      holder: request.holder ?? '',
      maxBytes: request.maxBytes ?? 0,
      chunk: request.chunk ?? '',
      notAfter: now + Math.min(request.ttlMs, MAX_GRANT_TTL_MS),
      nonce: randomBytes(8)
    })
    return SignedGrant.encode({ grant, signature: sign(null, signedBytes(grant), this.key) }) as GrantBytes
  }
}

export interface GrantUse {
  op: GrantOp
  /** the peer presenting it (the stream's remote peer) */
  remotePeer: string
  chunk: string
  /** bytes this request will store (PUT) */
  size: number
}

/**
 * A node's side: accepts a grant only if its directory signed it, for this
 * node, this operation and this chunk, for this peer (when it names one), and
 * it has not expired or run out of bytes. Byte budgets are kept in memory
 * until the grant expires; a restart forgets them, which at worst lets a
 * grant's holder store its budget again before the grant expires.
 */
/** Verified grants remembered (see GrantVerifier.verified); all forgotten at once past this. */
const VERIFIED_GRANTS_KEPT = 4096

export class GrantVerifier {
  private readonly issuerKey: KeyObject
  private readonly issuer: string
  /** bytes used per PUT grant (nonce), with its expiry */
  private readonly budgets = new Map<string, { used: number, notAfter: number }>()
  /** when spent budgets were last swept (at most once a minute) */
  private lastExpiry = 0
  /**
   * Grants whose signature checked out, by their exact bytes: a client sends
   * the same read grant with every GET and a PUT grant with every chunk of its
   * batch, and an Ed25519 verify would be most of a small GET's cost. Every
   * other field is still checked on every use.
   */
  private readonly verified = new Map<string, Grant>()

  constructor (directoryPeerId: string, private readonly self: string) {
    const peerId = peerIdFromString(directoryPeerId)
    if (peerId.type !== 'Ed25519' || peerId.publicKey == null) throw new TypeError(`directory ${directoryPeerId} has no Ed25519 key in its peer ID`)
    this.issuer = peerId.toString()
    this.issuerKey = createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(peerId.publicKey.raw).toString('base64url') } })
  }

  /** Throws ForbiddenError saying what is wrong; on success a PUT's bytes are charged to the grant. */
  check (bytes: Uint8Array, use: GrantUse, now = Date.now()): void {
    const what = use.op === GrantOp.PUT ? 'write' : 'read'
    if (bytes.byteLength === 0) throw new ForbiddenError(`peer ${use.remotePeer} sent no grant: a ${what} needs the directory's permission`)
    if (bytes.byteLength > MAX_GRANT_BYTES) throw new ForbiddenError('the grant is malformed (too large)')
    const cacheKey = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    let grant = this.verified.get(cacheKey)
    if (grant == null) {
      let signed: SignedGrant
      try {
        signed = SignedGrant.decode(bytes)
        grant = Grant.decode(signed.grant)
      } catch {
        throw new ForbiddenError('the grant is malformed')
      }
      if (grant.issuer !== this.issuer) throw new ForbiddenError(`the grant was issued by ${grant.issuer.slice(0, 60)}, not this node's directory`)
      let valid = false
      try {
        valid = verify(null, signedBytes(signed.grant), this.issuerKey, signed.signature)
      } catch {}
      if (!valid) throw new ForbiddenError('the grant\'s signature is not the directory\'s')
      if (this.verified.size >= VERIFIED_GRANTS_KEPT) this.verified.clear()
      this.verified.set(cacheKey, grant)
    }
    if (grant.op !== use.op) throw new ForbiddenError(`the grant is not for a ${what}`)
    if (grant.node !== this.self) throw new ForbiddenError(`the grant is for node ${grant.node.slice(0, 60)}, not this one`)
    if (grant.holder !== '' && grant.holder !== use.remotePeer) throw new ForbiddenError(`the grant was given to ${grant.holder.slice(0, 60)}, not to peer ${use.remotePeer}`)
    if (grant.chunk !== '' && grant.chunk !== use.chunk) throw new ForbiddenError(`the grant covers chunk ${grant.chunk.slice(0, 80)} only`)
    if (grant.notAfter < now) throw new ForbiddenError(`the grant expired at ${new Date(grant.notAfter).toISOString()}`)
    if (grant.notAfter > now + MAX_GRANT_TTL_MS) throw new ForbiddenError('the grant claims a lifetime longer than any directory gives')
    if (use.op === GrantOp.PUT && grant.maxBytes > 0) {
      this.expireBudgets(now)
      const key = Buffer.from(grant.nonce).toString('hex')
      const budget = this.budgets.get(key) ?? { used: 0, notAfter: grant.notAfter }
      if (budget.used + use.size > grant.maxBytes) throw new ForbiddenError(`the grant's ${grant.maxBytes} bytes are used up`)
      budget.used += use.size
      this.budgets.set(key, budget)
    }
  }

  private expireBudgets (now: number): void {
    if (now - this.lastExpiry < 60_000) return
    this.lastExpiry = now
    for (const [key, budget] of this.budgets) if (budget.notAfter < now) this.budgets.delete(key)
  }
}

/** The node a grant is for, without checking it (the node checks): lets a client file grants by node. */
export function grantNode (bytes: Uint8Array): string | undefined {
  try {
    return Grant.decode(SignedGrant.decode(bytes).grant).node
  } catch {
    return undefined
  }
}
