import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum GrantOp {
  PUT = 'PUT',
  GET = 'GET'
}

enum __GrantOpValues {
  PUT = 0,
  GET = 1
}

export namespace GrantOp {
  export const codec = (): Codec<GrantOp> => {
    return enumeration<GrantOp>(__GrantOpValues)
  }
}

export interface Grant {
  op: GrantOp
  issuer: string
  node: string
  holder: string
  maxBytes: number
  chunk: string
  notAfter: number
  nonce: Uint8Array<ArrayBuffer>
}

export namespace Grant {
  let _codec: Codec<Grant>

  export const codec = (): Codec<Grant> => {
    if (_codec == null) {
      _codec = message<Grant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.op != null && __GrantOpValues[obj.op] !== 0) {
          w.uint32(8)
          GrantOp.codec().encode(obj.op, w)
        }

        if ((obj.issuer != null && obj.issuer !== '')) {
          w.uint32(18)
          w.string(obj.issuer)
        }

        if ((obj.node != null && obj.node !== '')) {
          w.uint32(26)
          w.string(obj.node)
        }

        if ((obj.holder != null && obj.holder !== '')) {
          w.uint32(34)
          w.string(obj.holder)
        }

        if ((obj.maxBytes != null && obj.maxBytes !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.maxBytes)
        }

        if ((obj.chunk != null && obj.chunk !== '')) {
          w.uint32(50)
          w.string(obj.chunk)
        }

        if ((obj.notAfter != null && obj.notAfter !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.notAfter)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.nonce)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          op: GrantOp.PUT,
          issuer: '',
          node: '',
          holder: '',
          maxBytes: 0,
          chunk: '',
          notAfter: 0,
          nonce: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.op = GrantOp.codec().decode(reader)
              break
            }
            case 2: {
              obj.issuer = reader.string()
              break
            }
            case 3: {
              obj.node = reader.string()
              break
            }
            case 4: {
              obj.holder = reader.string()
              break
            }
            case 5: {
              obj.maxBytes = reader.uint64Number()
              break
            }
            case 6: {
              obj.chunk = reader.string()
              break
            }
            case 7: {
              obj.notAfter = reader.uint64Number()
              break
            }
            case 8: {
              obj.nonce = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.op`,
                value: GrantOp.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.issuer`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.node`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.holder`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.maxBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.chunk`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.notAfter`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GrantOpFieldEvent {
    field: '$.op'
    value: GrantOp
  }

  export interface GrantIssuerFieldEvent {
    field: '$.issuer'
    value: string
  }

  export interface GrantNodeFieldEvent {
    field: '$.node'
    value: string
  }

  export interface GrantHolderFieldEvent {
    field: '$.holder'
    value: string
  }

  export interface GrantMaxBytesFieldEvent {
    field: '$.maxBytes'
    value: number
  }

  export interface GrantChunkFieldEvent {
    field: '$.chunk'
    value: string
  }

  export interface GrantNotAfterFieldEvent {
    field: '$.notAfter'
    value: number
  }

  export interface GrantNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Grant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Grant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Grant>): Grant {
    return decodeMessage(buf, Grant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Grant>): Generator<GrantOpFieldEvent | GrantIssuerFieldEvent | GrantNodeFieldEvent | GrantHolderFieldEvent | GrantMaxBytesFieldEvent | GrantChunkFieldEvent | GrantNotAfterFieldEvent | GrantNonceFieldEvent> {
    return streamMessage(buf, Grant.codec(), opts)
  }
}

export interface SignedGrant {
  grant: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedGrant {
  let _codec: Codec<SignedGrant>

  export const codec = (): Codec<SignedGrant> => {
    if (_codec == null) {
      _codec = message<SignedGrant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.grant != null && obj.grant.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.grant)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          grant: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.grant = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.grant`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedGrantGrantFieldEvent {
    field: '$.grant'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedGrantSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedGrant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedGrant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedGrant>): SignedGrant {
    return decodeMessage(buf, SignedGrant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedGrant>): Generator<SignedGrantGrantFieldEvent | SignedGrantSignatureFieldEvent> {
    return streamMessage(buf, SignedGrant.codec(), opts)
  }
}
