import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StoreRequest {
  type: StoreRequest.Type
  cid: string
  size: number
  forward: Target[]
  grant?: Uint8Array<ArrayBuffer>
  chunks: ChunkRef[]
}

export namespace StoreRequest {
  export enum Type {
    PUT = 'PUT',
    GET = 'GET',
    HAS = 'HAS',
    PUT_MANY = 'PUT_MANY',
    GET_MANY = 'GET_MANY'
  }

  enum __TypeValues {
    PUT = 0,
    GET = 1,
    HAS = 2,
    PUT_MANY = 3,
    GET_MANY = 4
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<StoreRequest>

  export const codec = (): Codec<StoreRequest> => {
    if (_codec == null) {
      _codec = message<StoreRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          StoreRequest.Type.codec().encode(obj.type, w)
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(18)
          w.string(obj.cid)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if (obj.forward != null && obj.forward.length > 0) {
          for (const value of obj.forward) {
            w.uint32(34)
            Target.codec().encode(value, w)
          }
        }

        if (obj.grant != null) {
          w.uint32(42)
          w.bytes(obj.grant)
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(50)
            ChunkRef.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.PUT,
          cid: '',
          size: 0,
          forward: [],
          chunks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = StoreRequest.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.cid = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.forward != null && obj.forward.length === opts.limits.forward) {
                throw new MaxLengthError('Decode error - repeated field "forward" had too many elements')
              }

              obj.forward.push(Target.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.forward$
              }))
              break
            }
            case 5: {
              obj.grant = reader.bytes()
              break
            }
            case 6: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(ChunkRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chunks$
              }))
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
        const obj = {
          forward: 0,
          chunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: StoreRequest.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cid`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              if (opts.limits?.forward != null && obj.forward === opts.limits.forward) {
                throw new MaxLengthError('Streaming decode error - repeated field "forward" had too many elements')
              }

              for (const evt of Target.codec().stream(reader, reader.uint32(), `${prefix}.forward[]`, {
                limits: opts.limits?.forward$
              })) {
                yield {
                  ...evt,
                  index: obj.forward
                }
              }

              obj.forward++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.grant`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              for (const evt of ChunkRef.codec().stream(reader, reader.uint32(), `${prefix}.chunks[]`, {
                limits: opts.limits?.chunks$
              })) {
                yield {
                  ...evt,
                  index: obj.chunks
                }
              }

              obj.chunks++

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

  export interface StoreRequestTypeFieldEvent {
    field: '$.type'
    value: StoreRequest.Type
  }

  export interface StoreRequestCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export interface StoreRequestSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface StoreRequestForwardPeerIdFieldEvent {
    field: '$.forward[].peerId'
    value: string
    index: number
  }

  export interface StoreRequestForwardAddrsFieldEvent {
    field: '$.forward[].addrs[]'
    index: number
    value: string
  }

  export interface StoreRequestForwardGrantFieldEvent {
    field: '$.forward[].grant'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface StoreRequestGrantFieldEvent {
    field: '$.grant'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoreRequestChunksCidFieldEvent {
    field: '$.chunks[].cid'
    value: string
    index: number
  }

  export interface StoreRequestChunksSizeFieldEvent {
    field: '$.chunks[].size'
    value: number
    index: number
  }

  export interface StoreRequestChunksAbsentFieldEvent {
    field: '$.chunks[].absent'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<StoreRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreRequest>): StoreRequest {
    return decodeMessage(buf, StoreRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreRequest>): Generator<StoreRequestTypeFieldEvent | StoreRequestCidFieldEvent | StoreRequestSizeFieldEvent | StoreRequestForwardPeerIdFieldEvent | StoreRequestForwardAddrsFieldEvent | StoreRequestForwardGrantFieldEvent | StoreRequestGrantFieldEvent | StoreRequestChunksCidFieldEvent | StoreRequestChunksSizeFieldEvent | StoreRequestChunksAbsentFieldEvent> {
    return streamMessage(buf, StoreRequest.codec(), opts)
  }
}

export interface ChunkRef {
  cid: string
  size: number
  absent: boolean
}

export namespace ChunkRef {
  let _codec: Codec<ChunkRef>

  export const codec = (): Codec<ChunkRef> => {
    if (_codec == null) {
      _codec = message<ChunkRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(10)
          w.string(obj.cid)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.absent != null && obj.absent !== false)) {
          w.uint32(24)
          w.bool(obj.absent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: '',
          size: 0,
          absent: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cid = reader.string()
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.absent = reader.bool()
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
                field: `${prefix}.cid`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.absent`,
                value: reader.bool()
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

  export interface ChunkRefCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export interface ChunkRefSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface ChunkRefAbsentFieldEvent {
    field: '$.absent'
    value: boolean
  }

  export function encode (obj: Partial<ChunkRef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkRef>): ChunkRef {
    return decodeMessage(buf, ChunkRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkRef>): Generator<ChunkRefCidFieldEvent | ChunkRefSizeFieldEvent | ChunkRefAbsentFieldEvent> {
    return streamMessage(buf, ChunkRef.codec(), opts)
  }
}

export interface Target {
  peerId: string
  addrs: string[]
  grant?: Uint8Array<ArrayBuffer>
}

export namespace Target {
  let _codec: Codec<Target>

  export const codec = (): Codec<Target> => {
    if (_codec == null) {
      _codec = message<Target>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.grant != null) {
          w.uint32(26)
          w.bytes(obj.grant)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 3: {
              obj.grant = reader.bytes()
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
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.grant`,
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

  export interface TargetPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface TargetAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface TargetGrantFieldEvent {
    field: '$.grant'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Target>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Target.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Target>): Target {
    return decodeMessage(buf, Target.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Target>): Generator<TargetPeerIdFieldEvent | TargetAddrsFieldEvent | TargetGrantFieldEvent> {
    return streamMessage(buf, Target.codec(), opts)
  }
}

export interface StoreResponse {
  status: StoreResponse.Status
  size: number
  message: string
  stored: string[]
  chunks: ChunkRef[]
}

export namespace StoreResponse {
  export enum Status {
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    INVALID = 'INVALID',
    HASH_MISMATCH = 'HASH_MISMATCH',
    FULL = 'FULL',
    ERROR = 'ERROR',
    FORBIDDEN = 'FORBIDDEN'
  }

  enum __StatusValues {
    OK = 0,
    NOT_FOUND = 1,
    INVALID = 2,
    HASH_MISMATCH = 3,
    FULL = 4,
    ERROR = 5,
    FORBIDDEN = 6
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<StoreResponse>

  export const codec = (): Codec<StoreResponse> => {
    if (_codec == null) {
      _codec = message<StoreResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          StoreResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.stored != null && obj.stored.length > 0) {
          for (const value of obj.stored) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(42)
            ChunkRef.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          size: 0,
          message: '',
          stored: [],
          chunks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = StoreResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.stored != null && obj.stored.length === opts.limits.stored) {
                throw new MaxLengthError('Decode error - repeated field "stored" had too many elements')
              }

              obj.stored.push(reader.string())
              break
            }
            case 5: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(ChunkRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chunks$
              }))
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
        const obj = {
          stored: 0,
          chunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: StoreResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.stored != null && obj.stored === opts.limits.stored) {
                throw new MaxLengthError('Streaming decode error - repeated field "stored" had too many elements')
              }

              yield {
                field: `${prefix}.stored[]`,
                index: obj.stored,
                value: reader.string()
              }

              obj.stored++

              break
            }
            case 5: {
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              for (const evt of ChunkRef.codec().stream(reader, reader.uint32(), `${prefix}.chunks[]`, {
                limits: opts.limits?.chunks$
              })) {
                yield {
                  ...evt,
                  index: obj.chunks
                }
              }

              obj.chunks++

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

  export interface StoreResponseStatusFieldEvent {
    field: '$.status'
    value: StoreResponse.Status
  }

  export interface StoreResponseSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface StoreResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface StoreResponseStoredFieldEvent {
    field: '$.stored[]'
    index: number
    value: string
  }

  export interface StoreResponseChunksCidFieldEvent {
    field: '$.chunks[].cid'
    value: string
    index: number
  }

  export interface StoreResponseChunksSizeFieldEvent {
    field: '$.chunks[].size'
    value: number
    index: number
  }

  export interface StoreResponseChunksAbsentFieldEvent {
    field: '$.chunks[].absent'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<StoreResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreResponse>): StoreResponse {
    return decodeMessage(buf, StoreResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreResponse>): Generator<StoreResponseStatusFieldEvent | StoreResponseSizeFieldEvent | StoreResponseMessageFieldEvent | StoreResponseStoredFieldEvent | StoreResponseChunksCidFieldEvent | StoreResponseChunksSizeFieldEvent | StoreResponseChunksAbsentFieldEvent> {
    return streamMessage(buf, StoreResponse.codec(), opts)
  }
}
