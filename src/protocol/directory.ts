/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface RegisterRequest {
  addrs: string[]
  capacity: number
  used: number
  chunks: number
  results: TaskResult[]
  corrupt: string[]
  membershipVersion: string
  leaving: boolean
}

export namespace RegisterRequest {
  let _codec: Codec<RegisterRequest>

  export const codec = (): Codec<RegisterRequest> => {
    if (_codec == null) {
      _codec = message<RegisterRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(10)
            w.string(value)
          }
        }

        if ((obj.capacity != null && obj.capacity !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.capacity)
        }

        if ((obj.used != null && obj.used !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.used)
        }

        if ((obj.chunks != null && obj.chunks !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.chunks)
        }

        if (obj.results != null && obj.results.length > 0) {
          for (const value of obj.results) {
            w.uint32(42)
            TaskResult.codec().encode(value, w)
          }
        }

        if (obj.corrupt != null && obj.corrupt.length > 0) {
          for (const value of obj.corrupt) {
            w.uint32(50)
            w.string(value)
          }
        }

        if ((obj.membershipVersion != null && obj.membershipVersion !== '')) {
          w.uint32(58)
          w.string(obj.membershipVersion)
        }

        if ((obj.leaving != null && obj.leaving !== false)) {
          w.uint32(64)
          w.bool(obj.leaving)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          addrs: [],
          capacity: 0,
          used: 0,
          chunks: 0,
          results: [],
          corrupt: [],
          membershipVersion: '',
          leaving: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 2: {
              obj.capacity = reader.uint64Number()
              break
            }
            case 3: {
              obj.used = reader.uint64Number()
              break
            }
            case 4: {
              obj.chunks = reader.uint64Number()
              break
            }
            case 5: {
              if (opts.limits?.results != null && obj.results.length === opts.limits.results) {
                throw new MaxLengthError('Decode error - repeated field "results" had too many elements')
              }

              obj.results.push(TaskResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.results$
              }))
              break
            }
            case 6: {
              if (opts.limits?.corrupt != null && obj.corrupt.length === opts.limits.corrupt) {
                throw new MaxLengthError('Decode error - repeated field "corrupt" had too many elements')
              }

              obj.corrupt.push(reader.string())
              break
            }
            case 7: {
              obj.membershipVersion = reader.string()
              break
            }
            case 8: {
              obj.leaving = reader.bool()
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
          addrs: 0,
          results: 0,
          corrupt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
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
            case 2: {
              yield {
                field: `${prefix}.capacity`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.used`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.chunks`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              if (opts.limits?.results != null && obj.results === opts.limits.results) {
                throw new MaxLengthError('Streaming decode error - repeated field "results" had too many elements')
              }

              for (const evt of TaskResult.codec().stream(reader, reader.uint32(), `${prefix}.results[]`, {
                limits: opts.limits?.results$
              })) {
                yield {
                  ...evt,
                  index: obj.results
                }
              }

              obj.results++

              break
            }
            case 6: {
              if (opts.limits?.corrupt != null && obj.corrupt === opts.limits.corrupt) {
                throw new MaxLengthError('Streaming decode error - repeated field "corrupt" had too many elements')
              }

              yield {
                field: `${prefix}.corrupt[]`,
                index: obj.corrupt,
                value: reader.string()
              }

              obj.corrupt++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.membershipVersion`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.leaving`,
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

  export interface RegisterRequestAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface RegisterRequestCapacityFieldEvent {
    field: '$.capacity'
    value: number
  }

  export interface RegisterRequestUsedFieldEvent {
    field: '$.used'
    value: number
  }

  export interface RegisterRequestChunksFieldEvent {
    field: '$.chunks'
    value: number
  }

  export interface RegisterRequestResultsTypeFieldEvent {
    field: '$.results[].type'
    value: TaskType
    index: number
  }

  export interface RegisterRequestResultsChunkIdFieldEvent {
    field: '$.results[].chunkId'
    value: string
    index: number
  }

  export interface RegisterRequestResultsTargetFieldEvent {
    field: '$.results[].target'
    value: string
    index: number
  }

  export interface RegisterRequestResultsOkFieldEvent {
    field: '$.results[].ok'
    value: boolean
    index: number
  }

  export interface RegisterRequestResultsMessageFieldEvent {
    field: '$.results[].message'
    value: string
    index: number
  }

  export interface RegisterRequestCorruptFieldEvent {
    field: '$.corrupt[]'
    index: number
    value: string
  }

  export interface RegisterRequestMembershipVersionFieldEvent {
    field: '$.membershipVersion'
    value: string
  }

  export interface RegisterRequestLeavingFieldEvent {
    field: '$.leaving'
    value: boolean
  }

  export function encode (obj: Partial<RegisterRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RegisterRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterRequest>): RegisterRequest {
    return decodeMessage(buf, RegisterRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterRequest>): Generator<RegisterRequestAddrsFieldEvent | RegisterRequestCapacityFieldEvent | RegisterRequestUsedFieldEvent | RegisterRequestChunksFieldEvent | RegisterRequestResultsTypeFieldEvent | RegisterRequestResultsChunkIdFieldEvent | RegisterRequestResultsTargetFieldEvent | RegisterRequestResultsOkFieldEvent | RegisterRequestResultsMessageFieldEvent | RegisterRequestCorruptFieldEvent | RegisterRequestMembershipVersionFieldEvent | RegisterRequestLeavingFieldEvent> {
    return streamMessage(buf, RegisterRequest.codec(), opts)
  }
}

export interface RegisterResponse {
  status: Status
  message: string
  heartbeatMs: number
  sendInventory: boolean
  tasks: Task[]
  membership?: Membership
}

export namespace RegisterResponse {
  let _codec: Codec<RegisterResponse>

  export const codec = (): Codec<RegisterResponse> => {
    if (_codec == null) {
      _codec = message<RegisterResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if ((obj.heartbeatMs != null && obj.heartbeatMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.heartbeatMs)
        }

        if ((obj.sendInventory != null && obj.sendInventory !== false)) {
          w.uint32(32)
          w.bool(obj.sendInventory)
        }

        if (obj.tasks != null && obj.tasks.length > 0) {
          for (const value of obj.tasks) {
            w.uint32(42)
            Task.codec().encode(value, w)
          }
        }

        if (obj.membership != null) {
          w.uint32(50)
          Membership.codec().encode(obj.membership, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          message: '',
          heartbeatMs: 0,
          sendInventory: false,
          tasks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.heartbeatMs = reader.uint32()
              break
            }
            case 4: {
              obj.sendInventory = reader.bool()
              break
            }
            case 5: {
              if (opts.limits?.tasks != null && obj.tasks.length === opts.limits.tasks) {
                throw new MaxLengthError('Decode error - repeated field "tasks" had too many elements')
              }

              obj.tasks.push(Task.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tasks$
              }))
              break
            }
            case 6: {
              obj.membership = Membership.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.membership
              })
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
          tasks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.heartbeatMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sendInventory`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              if (opts.limits?.tasks != null && obj.tasks === opts.limits.tasks) {
                throw new MaxLengthError('Streaming decode error - repeated field "tasks" had too many elements')
              }

              for (const evt of Task.codec().stream(reader, reader.uint32(), `${prefix}.tasks[]`, {
                limits: opts.limits?.tasks$
              })) {
                yield {
                  ...evt,
                  index: obj.tasks
                }
              }

              obj.tasks++

              break
            }
            case 6: {
              yield * Membership.codec().stream(reader, reader.uint32(), `${prefix}.membership`, {
                limits: opts.limits?.membership
              })

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

  export interface RegisterResponseStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface RegisterResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface RegisterResponseHeartbeatMsFieldEvent {
    field: '$.heartbeatMs'
    value: number
  }

  export interface RegisterResponseSendInventoryFieldEvent {
    field: '$.sendInventory'
    value: boolean
  }

  export interface RegisterResponseTasksTypeFieldEvent {
    field: '$.tasks[].type'
    value: TaskType
    index: number
  }

  export interface RegisterResponseTasksChunkIdFieldEvent {
    field: '$.tasks[].chunkId'
    value: string
    index: number
  }

  export interface RegisterResponseTasksTargetPeerIdFieldEvent {
    field: '$.tasks[].target.peerId'
    value: string
    index: number
  }

  export interface RegisterResponseTasksTargetAddrsFieldEvent {
    field: '$.tasks[].target.addrs[]'
    index: number
    value: string
  }

  export interface RegisterResponseTasksTargetAliveFieldEvent {
    field: '$.tasks[].target.alive'
    value: boolean
    index: number
  }

  export interface RegisterResponseTasksTargetUsedFieldEvent {
    field: '$.tasks[].target.used'
    value: number
    index: number
  }

  export interface RegisterResponseTasksTargetCapacityFieldEvent {
    field: '$.tasks[].target.capacity'
    value: number
    index: number
  }

  export interface RegisterResponseTasksTargetChunksFieldEvent {
    field: '$.tasks[].target.chunks'
    value: number
    index: number
  }

  export interface RegisterResponseTasksTargetLastSeenFieldEvent {
    field: '$.tasks[].target.lastSeen'
    value: number
    index: number
  }

  export interface RegisterResponseTasksGrantFieldEvent {
    field: '$.tasks[].grant'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RegisterResponseMembershipVersionFieldEvent {
    field: '$.membership.version'
    value: string
  }

  export interface RegisterResponseMembershipOpenFieldEvent {
    field: '$.membership.open'
    value: boolean
  }

  export interface RegisterResponseMembershipOpenReadsFieldEvent {
    field: '$.membership.openReads'
    value: boolean
  }

  export interface RegisterResponseMembershipMembersFieldEvent {
    field: '$.membership.members[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<RegisterResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RegisterResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterResponse>): RegisterResponse {
    return decodeMessage(buf, RegisterResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterResponse>): Generator<RegisterResponseStatusFieldEvent | RegisterResponseMessageFieldEvent | RegisterResponseHeartbeatMsFieldEvent | RegisterResponseSendInventoryFieldEvent | RegisterResponseTasksTypeFieldEvent | RegisterResponseTasksChunkIdFieldEvent | RegisterResponseTasksTargetPeerIdFieldEvent | RegisterResponseTasksTargetAddrsFieldEvent | RegisterResponseTasksTargetAliveFieldEvent | RegisterResponseTasksTargetUsedFieldEvent | RegisterResponseTasksTargetCapacityFieldEvent | RegisterResponseTasksTargetChunksFieldEvent | RegisterResponseTasksTargetLastSeenFieldEvent | RegisterResponseTasksGrantFieldEvent | RegisterResponseMembershipVersionFieldEvent | RegisterResponseMembershipOpenFieldEvent | RegisterResponseMembershipOpenReadsFieldEvent | RegisterResponseMembershipMembersFieldEvent> {
    return streamMessage(buf, RegisterResponse.codec(), opts)
  }
}

export interface Membership {
  version: string
  open: boolean
  openReads: boolean
  members: string[]
}

export namespace Membership {
  let _codec: Codec<Membership>

  export const codec = (): Codec<Membership> => {
    if (_codec == null) {
      _codec = message<Membership>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(10)
          w.string(obj.version)
        }

        if ((obj.open != null && obj.open !== false)) {
          w.uint32(16)
          w.bool(obj.open)
        }

        if ((obj.openReads != null && obj.openReads !== false)) {
          w.uint32(24)
          w.bool(obj.openReads)
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: '',
          open: false,
          openReads: false,
          members: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.string()
              break
            }
            case 2: {
              obj.open = reader.bool()
              break
            }
            case 3: {
              obj.openReads = reader.bool()
              break
            }
            case 4: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.string())
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
          members: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.open`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.openReads`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.string()
              }

              obj.members++

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

  export interface MembershipVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface MembershipOpenFieldEvent {
    field: '$.open'
    value: boolean
  }

  export interface MembershipOpenReadsFieldEvent {
    field: '$.openReads'
    value: boolean
  }

  export interface MembershipMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Membership>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Membership.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Membership>): Membership {
    return decodeMessage(buf, Membership.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Membership>): Generator<MembershipVersionFieldEvent | MembershipOpenFieldEvent | MembershipOpenReadsFieldEvent | MembershipMembersFieldEvent> {
    return streamMessage(buf, Membership.codec(), opts)
  }
}

export enum TaskType {
  COPY = 'COPY',
  DELETE = 'DELETE',
  VERIFY = 'VERIFY'
}

enum __TaskTypeValues {
  COPY = 0,
  DELETE = 1,
  VERIFY = 2
}

export namespace TaskType {
  export const codec = (): Codec<TaskType> => {
    return enumeration<TaskType>(__TaskTypeValues)
  }
}

export interface Task {
  type: TaskType
  chunkId: string
  target?: NodeInfo
  grant?: Uint8Array<ArrayBuffer>
}

export namespace Task {
  let _codec: Codec<Task>

  export const codec = (): Codec<Task> => {
    if (_codec == null) {
      _codec = message<Task>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TaskTypeValues[obj.type] !== 0) {
          w.uint32(8)
          TaskType.codec().encode(obj.type, w)
        }

        if ((obj.chunkId != null && obj.chunkId !== '')) {
          w.uint32(18)
          w.string(obj.chunkId)
        }

        if (obj.target != null) {
          w.uint32(26)
          NodeInfo.codec().encode(obj.target, w)
        }

        if (obj.grant != null) {
          w.uint32(34)
          w.bytes(obj.grant)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: TaskType.COPY,
          chunkId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = TaskType.codec().decode(reader)
              break
            }
            case 2: {
              obj.chunkId = reader.string()
              break
            }
            case 3: {
              obj.target = NodeInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.target
              })
              break
            }
            case 4: {
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
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: TaskType.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chunkId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield * NodeInfo.codec().stream(reader, reader.uint32(), `${prefix}.target`, {
                limits: opts.limits?.target
              })

              break
            }
            case 4: {
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

  export interface TaskTypeFieldEvent {
    field: '$.type'
    value: TaskType
  }

  export interface TaskChunkIdFieldEvent {
    field: '$.chunkId'
    value: string
  }

  export interface TaskTargetPeerIdFieldEvent {
    field: '$.target.peerId'
    value: string
  }

  export interface TaskTargetAddrsFieldEvent {
    field: '$.target.addrs[]'
    index: number
    value: string
  }

  export interface TaskTargetAliveFieldEvent {
    field: '$.target.alive'
    value: boolean
  }

  export interface TaskTargetUsedFieldEvent {
    field: '$.target.used'
    value: number
  }

  export interface TaskTargetCapacityFieldEvent {
    field: '$.target.capacity'
    value: number
  }

  export interface TaskTargetChunksFieldEvent {
    field: '$.target.chunks'
    value: number
  }

  export interface TaskTargetLastSeenFieldEvent {
    field: '$.target.lastSeen'
    value: number
  }

  export interface TaskGrantFieldEvent {
    field: '$.grant'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Task>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Task.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Task>): Task {
    return decodeMessage(buf, Task.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Task>): Generator<TaskTypeFieldEvent | TaskChunkIdFieldEvent | TaskTargetPeerIdFieldEvent | TaskTargetAddrsFieldEvent | TaskTargetAliveFieldEvent | TaskTargetUsedFieldEvent | TaskTargetCapacityFieldEvent | TaskTargetChunksFieldEvent | TaskTargetLastSeenFieldEvent | TaskGrantFieldEvent> {
    return streamMessage(buf, Task.codec(), opts)
  }
}

export interface TaskResult {
  type: TaskType
  chunkId: string
  target: string
  ok: boolean
  message: string
}

export namespace TaskResult {
  let _codec: Codec<TaskResult>

  export const codec = (): Codec<TaskResult> => {
    if (_codec == null) {
      _codec = message<TaskResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TaskTypeValues[obj.type] !== 0) {
          w.uint32(8)
          TaskType.codec().encode(obj.type, w)
        }

        if ((obj.chunkId != null && obj.chunkId !== '')) {
          w.uint32(18)
          w.string(obj.chunkId)
        }

        if ((obj.target != null && obj.target !== '')) {
          w.uint32(26)
          w.string(obj.target)
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(32)
          w.bool(obj.ok)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(42)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: TaskType.COPY,
          chunkId: '',
          target: '',
          ok: false,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = TaskType.codec().decode(reader)
              break
            }
            case 2: {
              obj.chunkId = reader.string()
              break
            }
            case 3: {
              obj.target = reader.string()
              break
            }
            case 4: {
              obj.ok = reader.bool()
              break
            }
            case 5: {
              obj.message = reader.string()
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
                field: `${prefix}.type`,
                value: TaskType.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chunkId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.target`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.ok`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface TaskResultTypeFieldEvent {
    field: '$.type'
    value: TaskType
  }

  export interface TaskResultChunkIdFieldEvent {
    field: '$.chunkId'
    value: string
  }

  export interface TaskResultTargetFieldEvent {
    field: '$.target'
    value: string
  }

  export interface TaskResultOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface TaskResultMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<TaskResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): TaskResult {
    return decodeMessage(buf, TaskResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): Generator<TaskResultTypeFieldEvent | TaskResultChunkIdFieldEvent | TaskResultTargetFieldEvent | TaskResultOkFieldEvent | TaskResultMessageFieldEvent> {
    return streamMessage(buf, TaskResult.codec(), opts)
  }
}

export interface InventoryPage {
  chunks: string[]
  last: boolean
}

export namespace InventoryPage {
  let _codec: Codec<InventoryPage>

  export const codec = (): Codec<InventoryPage> => {
    if (_codec == null) {
      _codec = message<InventoryPage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(10)
            w.string(value)
          }
        }

        if ((obj.last != null && obj.last !== false)) {
          w.uint32(16)
          w.bool(obj.last)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chunks: [],
          last: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(reader.string())
              break
            }
            case 2: {
              obj.last = reader.bool()
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
          chunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              yield {
                field: `${prefix}.chunks[]`,
                index: obj.chunks,
                value: reader.string()
              }

              obj.chunks++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.last`,
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

  export interface InventoryPageChunksFieldEvent {
    field: '$.chunks[]'
    index: number
    value: string
  }

  export interface InventoryPageLastFieldEvent {
    field: '$.last'
    value: boolean
  }

  export function encode (obj: Partial<InventoryPage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InventoryPage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InventoryPage>): InventoryPage {
    return decodeMessage(buf, InventoryPage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InventoryPage>): Generator<InventoryPageChunksFieldEvent | InventoryPageLastFieldEvent> {
    return streamMessage(buf, InventoryPage.codec(), opts)
  }
}

export interface InventoryResponse {
  status: Status
  message: string
}

export namespace InventoryResponse {
  let _codec: Codec<InventoryResponse>

  export const codec = (): Codec<InventoryResponse> => {
    if (_codec == null) {
      _codec = message<InventoryResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
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
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface InventoryResponseStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface InventoryResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<InventoryResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InventoryResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InventoryResponse>): InventoryResponse {
    return decodeMessage(buf, InventoryResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InventoryResponse>): Generator<InventoryResponseStatusFieldEvent | InventoryResponseMessageFieldEvent> {
    return streamMessage(buf, InventoryResponse.codec(), opts)
  }
}

export enum Status {
  OK = 'OK',
  NOT_FOUND = 'NOT_FOUND',
  INVALID = 'INVALID',
  UNAVAILABLE = 'UNAVAILABLE',
  ERROR = 'ERROR',
  FORBIDDEN = 'FORBIDDEN'
}

enum __StatusValues {
  OK = 0,
  NOT_FOUND = 1,
  INVALID = 2,
  UNAVAILABLE = 3,
  ERROR = 4,
  FORBIDDEN = 5
}

export namespace Status {
  export const codec = (): Codec<Status> => {
    return enumeration<Status>(__StatusValues)
  }
}

export interface DirectoryRequest {
  begin?: BeginUpload
  place?: PlaceChunks
  complete?: CompleteUpload
  abort?: AbortUpload
  resolve?: Resolve
  list?: ListFiles
  nodes?: ListNodes
  health?: Health
  remove?: Remove
  reportCorrupt?: ReportCorrupt
  placeFiles?: PlaceFiles
  addFiles?: AddFiles
  resolveMany?: ResolveMany
}

export namespace DirectoryRequest {
  let _codec: Codec<DirectoryRequest>

  export const codec = (): Codec<DirectoryRequest> => {
    if (_codec == null) {
      _codec = message<DirectoryRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.begin != null) {
          w.uint32(10)
          BeginUpload.codec().encode(obj.begin, w)
        }

        if (obj.place != null) {
          w.uint32(18)
          PlaceChunks.codec().encode(obj.place, w)
        }

        if (obj.complete != null) {
          w.uint32(26)
          CompleteUpload.codec().encode(obj.complete, w)
        }

        if (obj.abort != null) {
          w.uint32(34)
          AbortUpload.codec().encode(obj.abort, w)
        }

        if (obj.resolve != null) {
          w.uint32(42)
          Resolve.codec().encode(obj.resolve, w)
        }

        if (obj.list != null) {
          w.uint32(50)
          ListFiles.codec().encode(obj.list, w)
        }

        if (obj.nodes != null) {
          w.uint32(58)
          ListNodes.codec().encode(obj.nodes, w)
        }

        if (obj.health != null) {
          w.uint32(66)
          Health.codec().encode(obj.health, w)
        }

        if (obj.remove != null) {
          w.uint32(74)
          Remove.codec().encode(obj.remove, w)
        }

        if (obj.reportCorrupt != null) {
          w.uint32(82)
          ReportCorrupt.codec().encode(obj.reportCorrupt, w)
        }

        if (obj.placeFiles != null) {
          w.uint32(90)
          PlaceFiles.codec().encode(obj.placeFiles, w)
        }

        if (obj.addFiles != null) {
          w.uint32(98)
          AddFiles.codec().encode(obj.addFiles, w)
        }

        if (obj.resolveMany != null) {
          w.uint32(106)
          ResolveMany.codec().encode(obj.resolveMany, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.begin = BeginUpload.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.begin
              })
              break
            }
            case 2: {
              obj.place = PlaceChunks.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.place
              })
              break
            }
            case 3: {
              obj.complete = CompleteUpload.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.complete
              })
              break
            }
            case 4: {
              obj.abort = AbortUpload.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.abort
              })
              break
            }
            case 5: {
              obj.resolve = Resolve.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resolve
              })
              break
            }
            case 6: {
              obj.list = ListFiles.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.list
              })
              break
            }
            case 7: {
              obj.nodes = ListNodes.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nodes
              })
              break
            }
            case 8: {
              obj.health = Health.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.health
              })
              break
            }
            case 9: {
              obj.remove = Remove.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.remove
              })
              break
            }
            case 10: {
              obj.reportCorrupt = ReportCorrupt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reportCorrupt
              })
              break
            }
            case 11: {
              obj.placeFiles = PlaceFiles.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.placeFiles
              })
              break
            }
            case 12: {
              obj.addFiles = AddFiles.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.addFiles
              })
              break
            }
            case 13: {
              obj.resolveMany = ResolveMany.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resolveMany
              })
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
              yield * BeginUpload.codec().stream(reader, reader.uint32(), `${prefix}.begin`, {
                limits: opts.limits?.begin
              })

              break
            }
            case 2: {
              yield * PlaceChunks.codec().stream(reader, reader.uint32(), `${prefix}.place`, {
                limits: opts.limits?.place
              })

              break
            }
            case 3: {
              yield * CompleteUpload.codec().stream(reader, reader.uint32(), `${prefix}.complete`, {
                limits: opts.limits?.complete
              })

              break
            }
            case 4: {
              yield * AbortUpload.codec().stream(reader, reader.uint32(), `${prefix}.abort`, {
                limits: opts.limits?.abort
              })

              break
            }
            case 5: {
              yield * Resolve.codec().stream(reader, reader.uint32(), `${prefix}.resolve`, {
                limits: opts.limits?.resolve
              })

              break
            }
            case 6: {
              yield * ListFiles.codec().stream(reader, reader.uint32(), `${prefix}.list`, {
                limits: opts.limits?.list
              })

              break
            }
            case 7: {
              yield * ListNodes.codec().stream(reader, reader.uint32(), `${prefix}.nodes`, {
                limits: opts.limits?.nodes
              })

              break
            }
            case 8: {
              yield * Health.codec().stream(reader, reader.uint32(), `${prefix}.health`, {
                limits: opts.limits?.health
              })

              break
            }
            case 9: {
              yield * Remove.codec().stream(reader, reader.uint32(), `${prefix}.remove`, {
                limits: opts.limits?.remove
              })

              break
            }
            case 10: {
              yield * ReportCorrupt.codec().stream(reader, reader.uint32(), `${prefix}.reportCorrupt`, {
                limits: opts.limits?.reportCorrupt
              })

              break
            }
            case 11: {
              yield * PlaceFiles.codec().stream(reader, reader.uint32(), `${prefix}.placeFiles`, {
                limits: opts.limits?.placeFiles
              })

              break
            }
            case 12: {
              yield * AddFiles.codec().stream(reader, reader.uint32(), `${prefix}.addFiles`, {
                limits: opts.limits?.addFiles
              })

              break
            }
            case 13: {
              yield * ResolveMany.codec().stream(reader, reader.uint32(), `${prefix}.resolveMany`, {
                limits: opts.limits?.resolveMany
              })

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

  export interface DirectoryRequestBeginNameFieldEvent {
    field: '$.begin.name'
    value: string
  }

  export interface DirectoryRequestBeginSizeFieldEvent {
    field: '$.begin.size'
    value: number
  }

  export interface DirectoryRequestBeginChunkSizeFieldEvent {
    field: '$.begin.chunkSize'
    value: number
  }

  export interface DirectoryRequestBeginReplicasFieldEvent {
    field: '$.begin.replicas'
    value: number
  }

  export interface DirectoryRequestPlaceUploadIdFieldEvent {
    field: '$.place.uploadId'
    value: string
  }

  export interface DirectoryRequestPlaceFirstFieldEvent {
    field: '$.place.first'
    value: number
  }

  export interface DirectoryRequestPlaceCountFieldEvent {
    field: '$.place.count'
    value: number
  }

  export interface DirectoryRequestPlaceExcludeFieldEvent {
    field: '$.place.exclude[]'
    index: number
    value: string
  }

  export interface DirectoryRequestPlaceNeedFieldEvent {
    field: '$.place.need'
    value: number
  }

  export interface DirectoryRequestCompleteUploadIdFieldEvent {
    field: '$.complete.uploadId'
    value: string
  }

  export interface DirectoryRequestCompleteFileIdFieldEvent {
    field: '$.complete.fileId'
    value: string
  }

  export interface DirectoryRequestCompleteSizeFieldEvent {
    field: '$.complete.size'
    value: number
  }

  export interface DirectoryRequestCompleteChunksIndexFieldEvent {
    field: '$.complete.chunks[].index'
    value: number
    index: number
  }

  export interface DirectoryRequestCompleteChunksIdFieldEvent {
    field: '$.complete.chunks[].id'
    value: string
    index: number
  }

  export interface DirectoryRequestCompleteChunksOffsetFieldEvent {
    field: '$.complete.chunks[].offset'
    value: number
    index: number
  }

  export interface DirectoryRequestCompleteChunksSizeFieldEvent {
    field: '$.complete.chunks[].size'
    value: number
    index: number
  }

  export interface DirectoryRequestCompleteChunksPeersFieldEvent {
    field: '$.complete.chunks[].peers[]'
    index: number
    value: string
  }

  export interface DirectoryRequestCompleteFinalFieldEvent {
    field: '$.complete.final'
    value: boolean
  }

  export interface DirectoryRequestAbortUploadIdFieldEvent {
    field: '$.abort.uploadId'
    value: string
  }

  export interface DirectoryRequestResolveRefFieldEvent {
    field: '$.resolve.ref'
    value: string
  }

  export interface DirectoryRequestResolveChunkStartFieldEvent {
    field: '$.resolve.chunkStart'
    value: number
  }

  export interface DirectoryRequestResolveChunkLimitFieldEvent {
    field: '$.resolve.chunkLimit'
    value: number
  }

  export interface DirectoryRequestResolveNodesVersionFieldEvent {
    field: '$.resolve.nodesVersion'
    value: number
  }

  export interface DirectoryRequestListAfterFieldEvent {
    field: '$.list.after'
    value: string
  }

  export interface DirectoryRequestListLimitFieldEvent {
    field: '$.list.limit'
    value: number
  }

  export interface DirectoryRequestRemoveRefFieldEvent {
    field: '$.remove.ref'
    value: string
  }

  export interface DirectoryRequestReportCorruptChunkIdFieldEvent {
    field: '$.reportCorrupt.chunkId'
    value: string
  }

  export interface DirectoryRequestReportCorruptPeerIdFieldEvent {
    field: '$.reportCorrupt.peerId'
    value: string
  }

  export interface DirectoryRequestPlaceFilesBytesFieldEvent {
    field: '$.placeFiles.bytes'
    value: number
  }

  export interface DirectoryRequestPlaceFilesReplicasFieldEvent {
    field: '$.placeFiles.replicas'
    value: number
  }

  export interface DirectoryRequestAddFilesFilesNameFieldEvent {
    field: '$.addFiles.files[].name'
    value: string
    index: number
  }

  export interface DirectoryRequestAddFilesFilesIdFieldEvent {
    field: '$.addFiles.files[].id'
    value: string
    index: number
  }

  export interface DirectoryRequestAddFilesFilesSizeFieldEvent {
    field: '$.addFiles.files[].size'
    value: number
    index: number
  }

  export interface DirectoryRequestAddFilesFilesChunksIndexFieldEvent {
    field: '$.addFiles.files[].chunks[].index'
    value: number
    index: number
  }

  export interface DirectoryRequestAddFilesFilesChunksIdFieldEvent {
    field: '$.addFiles.files[].chunks[].id'
    value: string
    index: number
  }

  export interface DirectoryRequestAddFilesFilesChunksOffsetFieldEvent {
    field: '$.addFiles.files[].chunks[].offset'
    value: number
    index: number
  }

  export interface DirectoryRequestAddFilesFilesChunksSizeFieldEvent {
    field: '$.addFiles.files[].chunks[].size'
    value: number
    index: number
  }

  export interface DirectoryRequestAddFilesFilesChunksPeersFieldEvent {
    field: '$.addFiles.files[].chunks[].peers[]'
    index: number
    value: string
  }

  export interface DirectoryRequestAddFilesReplicasFieldEvent {
    field: '$.addFiles.replicas'
    value: number
  }

  export interface DirectoryRequestResolveManyRefsFieldEvent {
    field: '$.resolveMany.refs[]'
    index: number
    value: string
  }

  export interface DirectoryRequestResolveManyChunkLimitFieldEvent {
    field: '$.resolveMany.chunkLimit'
    value: number
  }

  export interface DirectoryRequestResolveManyNodesVersionFieldEvent {
    field: '$.resolveMany.nodesVersion'
    value: number
  }

  export function encode (obj: Partial<DirectoryRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryRequest>): DirectoryRequest {
    return decodeMessage(buf, DirectoryRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryRequest>): Generator<DirectoryRequestBeginNameFieldEvent | DirectoryRequestBeginSizeFieldEvent | DirectoryRequestBeginChunkSizeFieldEvent | DirectoryRequestBeginReplicasFieldEvent | DirectoryRequestPlaceUploadIdFieldEvent | DirectoryRequestPlaceFirstFieldEvent | DirectoryRequestPlaceCountFieldEvent | DirectoryRequestPlaceExcludeFieldEvent | DirectoryRequestPlaceNeedFieldEvent | DirectoryRequestCompleteUploadIdFieldEvent | DirectoryRequestCompleteFileIdFieldEvent | DirectoryRequestCompleteSizeFieldEvent | DirectoryRequestCompleteChunksIndexFieldEvent | DirectoryRequestCompleteChunksIdFieldEvent | DirectoryRequestCompleteChunksOffsetFieldEvent | DirectoryRequestCompleteChunksSizeFieldEvent | DirectoryRequestCompleteChunksPeersFieldEvent | DirectoryRequestCompleteFinalFieldEvent | DirectoryRequestAbortUploadIdFieldEvent | DirectoryRequestResolveRefFieldEvent | DirectoryRequestResolveChunkStartFieldEvent | DirectoryRequestResolveChunkLimitFieldEvent | DirectoryRequestResolveNodesVersionFieldEvent | DirectoryRequestListAfterFieldEvent | DirectoryRequestListLimitFieldEvent | DirectoryRequestRemoveRefFieldEvent | DirectoryRequestReportCorruptChunkIdFieldEvent | DirectoryRequestReportCorruptPeerIdFieldEvent | DirectoryRequestPlaceFilesBytesFieldEvent | DirectoryRequestPlaceFilesReplicasFieldEvent | DirectoryRequestAddFilesFilesNameFieldEvent | DirectoryRequestAddFilesFilesIdFieldEvent | DirectoryRequestAddFilesFilesSizeFieldEvent | DirectoryRequestAddFilesFilesChunksIndexFieldEvent | DirectoryRequestAddFilesFilesChunksIdFieldEvent | DirectoryRequestAddFilesFilesChunksOffsetFieldEvent | DirectoryRequestAddFilesFilesChunksSizeFieldEvent | DirectoryRequestAddFilesFilesChunksPeersFieldEvent | DirectoryRequestAddFilesReplicasFieldEvent | DirectoryRequestResolveManyRefsFieldEvent | DirectoryRequestResolveManyChunkLimitFieldEvent | DirectoryRequestResolveManyNodesVersionFieldEvent> {
    return streamMessage(buf, DirectoryRequest.codec(), opts)
  }
}

export interface ResolveMany {
  refs: string[]
  chunkLimit: number
  nodesVersion: number
}

export namespace ResolveMany {
  let _codec: Codec<ResolveMany>

  export const codec = (): Codec<ResolveMany> => {
    if (_codec == null) {
      _codec = message<ResolveMany>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.refs != null && obj.refs.length > 0) {
          for (const value of obj.refs) {
            w.uint32(10)
            w.string(value)
          }
        }

        if ((obj.chunkLimit != null && obj.chunkLimit !== 0)) {
          w.uint32(16)
          w.uint32(obj.chunkLimit)
        }

        if ((obj.nodesVersion != null && obj.nodesVersion !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.nodesVersion)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          refs: [],
          chunkLimit: 0,
          nodesVersion: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.refs != null && obj.refs.length === opts.limits.refs) {
                throw new MaxLengthError('Decode error - repeated field "refs" had too many elements')
              }

              obj.refs.push(reader.string())
              break
            }
            case 2: {
              obj.chunkLimit = reader.uint32()
              break
            }
            case 3: {
              obj.nodesVersion = reader.uint64Number()
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
          refs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.refs != null && obj.refs === opts.limits.refs) {
                throw new MaxLengthError('Streaming decode error - repeated field "refs" had too many elements')
              }

              yield {
                field: `${prefix}.refs[]`,
                index: obj.refs,
                value: reader.string()
              }

              obj.refs++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.chunkLimit`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.nodesVersion`,
                value: reader.uint64Number()
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

  export interface ResolveManyRefsFieldEvent {
    field: '$.refs[]'
    index: number
    value: string
  }

  export interface ResolveManyChunkLimitFieldEvent {
    field: '$.chunkLimit'
    value: number
  }

  export interface ResolveManyNodesVersionFieldEvent {
    field: '$.nodesVersion'
    value: number
  }

  export function encode (obj: Partial<ResolveMany>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResolveMany.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResolveMany>): ResolveMany {
    return decodeMessage(buf, ResolveMany.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResolveMany>): Generator<ResolveManyRefsFieldEvent | ResolveManyChunkLimitFieldEvent | ResolveManyNodesVersionFieldEvent> {
    return streamMessage(buf, ResolveMany.codec(), opts)
  }
}

export interface Resolved {
  status: Status
  message: string
  file?: FileInfo
  chunks: ChunkInfo[]
}

export namespace Resolved {
  let _codec: Codec<Resolved>

  export const codec = (): Codec<Resolved> => {
    if (_codec == null) {
      _codec = message<Resolved>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (obj.file != null) {
          w.uint32(26)
          FileInfo.codec().encode(obj.file, w)
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(34)
            ChunkInfo.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          message: '',
          chunks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.file = FileInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.file
              })
              break
            }
            case 4: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(ChunkInfo.codec().decode(reader, reader.uint32(), {
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
          chunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield * FileInfo.codec().stream(reader, reader.uint32(), `${prefix}.file`, {
                limits: opts.limits?.file
              })

              break
            }
            case 4: {
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              for (const evt of ChunkInfo.codec().stream(reader, reader.uint32(), `${prefix}.chunks[]`, {
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

  export interface ResolvedStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface ResolvedMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface ResolvedFileNameFieldEvent {
    field: '$.file.name'
    value: string
  }

  export interface ResolvedFileIdFieldEvent {
    field: '$.file.id'
    value: string
  }

  export interface ResolvedFileSizeFieldEvent {
    field: '$.file.size'
    value: number
  }

  export interface ResolvedFileUploadedAtFieldEvent {
    field: '$.file.uploadedAt'
    value: number
  }

  export interface ResolvedFileChunkCountFieldEvent {
    field: '$.file.chunkCount'
    value: number
  }

  export interface ResolvedFileReplicasFieldEvent {
    field: '$.file.replicas'
    value: number
  }

  export interface ResolvedChunksIndexFieldEvent {
    field: '$.chunks[].index'
    value: number
    index: number
  }

  export interface ResolvedChunksIdFieldEvent {
    field: '$.chunks[].id'
    value: string
    index: number
  }

  export interface ResolvedChunksOffsetFieldEvent {
    field: '$.chunks[].offset'
    value: number
    index: number
  }

  export interface ResolvedChunksSizeFieldEvent {
    field: '$.chunks[].size'
    value: number
    index: number
  }

  export interface ResolvedChunksPeersFieldEvent {
    field: '$.chunks[].peers[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Resolved>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Resolved.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Resolved>): Resolved {
    return decodeMessage(buf, Resolved.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Resolved>): Generator<ResolvedStatusFieldEvent | ResolvedMessageFieldEvent | ResolvedFileNameFieldEvent | ResolvedFileIdFieldEvent | ResolvedFileSizeFieldEvent | ResolvedFileUploadedAtFieldEvent | ResolvedFileChunkCountFieldEvent | ResolvedFileReplicasFieldEvent | ResolvedChunksIndexFieldEvent | ResolvedChunksIdFieldEvent | ResolvedChunksOffsetFieldEvent | ResolvedChunksSizeFieldEvent | ResolvedChunksPeersFieldEvent> {
    return streamMessage(buf, Resolved.codec(), opts)
  }
}

export interface PlaceFiles {
  bytes: number
  replicas: number
}

export namespace PlaceFiles {
  let _codec: Codec<PlaceFiles>

  export const codec = (): Codec<PlaceFiles> => {
    if (_codec == null) {
      _codec = message<PlaceFiles>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.bytes != null && obj.bytes !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.bytes)
        }

        if ((obj.replicas != null && obj.replicas !== 0)) {
          w.uint32(24)
          w.uint32(obj.replicas)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          bytes: 0,
          replicas: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 2: {
              obj.bytes = reader.uint64Number()
              break
            }
            case 3: {
              obj.replicas = reader.uint32()
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
            case 2: {
              yield {
                field: `${prefix}.bytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.replicas`,
                value: reader.uint32()
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

  export interface PlaceFilesBytesFieldEvent {
    field: '$.bytes'
    value: number
  }

  export interface PlaceFilesReplicasFieldEvent {
    field: '$.replicas'
    value: number
  }

  export function encode (obj: Partial<PlaceFiles>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PlaceFiles.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlaceFiles>): PlaceFiles {
    return decodeMessage(buf, PlaceFiles.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlaceFiles>): Generator<PlaceFilesBytesFieldEvent | PlaceFilesReplicasFieldEvent> {
    return streamMessage(buf, PlaceFiles.codec(), opts)
  }
}

export interface AddFiles {
  files: NewFile[]
  replicas: number
}

export namespace AddFiles {
  let _codec: Codec<AddFiles>

  export const codec = (): Codec<AddFiles> => {
    if (_codec == null) {
      _codec = message<AddFiles>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(10)
            NewFile.codec().encode(value, w)
          }
        }

        if ((obj.replicas != null && obj.replicas !== 0)) {
          w.uint32(16)
          w.uint32(obj.replicas)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          files: [],
          replicas: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(NewFile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
              }))
              break
            }
            case 2: {
              obj.replicas = reader.uint32()
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
          files: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of NewFile.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.replicas`,
                value: reader.uint32()
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

  export interface AddFilesFilesNameFieldEvent {
    field: '$.files[].name'
    value: string
    index: number
  }

  export interface AddFilesFilesIdFieldEvent {
    field: '$.files[].id'
    value: string
    index: number
  }

  export interface AddFilesFilesSizeFieldEvent {
    field: '$.files[].size'
    value: number
    index: number
  }

  export interface AddFilesFilesChunksIndexFieldEvent {
    field: '$.files[].chunks[].index'
    value: number
    index: number
  }

  export interface AddFilesFilesChunksIdFieldEvent {
    field: '$.files[].chunks[].id'
    value: string
    index: number
  }

  export interface AddFilesFilesChunksOffsetFieldEvent {
    field: '$.files[].chunks[].offset'
    value: number
    index: number
  }

  export interface AddFilesFilesChunksSizeFieldEvent {
    field: '$.files[].chunks[].size'
    value: number
    index: number
  }

  export interface AddFilesFilesChunksPeersFieldEvent {
    field: '$.files[].chunks[].peers[]'
    index: number
    value: string
  }

  export interface AddFilesReplicasFieldEvent {
    field: '$.replicas'
    value: number
  }

  export function encode (obj: Partial<AddFiles>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AddFiles.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AddFiles>): AddFiles {
    return decodeMessage(buf, AddFiles.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AddFiles>): Generator<AddFilesFilesNameFieldEvent | AddFilesFilesIdFieldEvent | AddFilesFilesSizeFieldEvent | AddFilesFilesChunksIndexFieldEvent | AddFilesFilesChunksIdFieldEvent | AddFilesFilesChunksOffsetFieldEvent | AddFilesFilesChunksSizeFieldEvent | AddFilesFilesChunksPeersFieldEvent | AddFilesReplicasFieldEvent> {
    return streamMessage(buf, AddFiles.codec(), opts)
  }
}

export interface NewFile {
  name: string
  id: string
  size: number
  chunks: ChunkInfo[]
}

export namespace NewFile {
  let _codec: Codec<NewFile>

  export const codec = (): Codec<NewFile> => {
    if (_codec == null) {
      _codec = message<NewFile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(18)
          w.string(obj.id)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(34)
            ChunkInfo.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          id: '',
          size: 0,
          chunks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.id = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(ChunkInfo.codec().decode(reader, reader.uint32(), {
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
          chunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
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
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              for (const evt of ChunkInfo.codec().stream(reader, reader.uint32(), `${prefix}.chunks[]`, {
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

  export interface NewFileNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface NewFileIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface NewFileSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface NewFileChunksIndexFieldEvent {
    field: '$.chunks[].index'
    value: number
    index: number
  }

  export interface NewFileChunksIdFieldEvent {
    field: '$.chunks[].id'
    value: string
    index: number
  }

  export interface NewFileChunksOffsetFieldEvent {
    field: '$.chunks[].offset'
    value: number
    index: number
  }

  export interface NewFileChunksSizeFieldEvent {
    field: '$.chunks[].size'
    value: number
    index: number
  }

  export interface NewFileChunksPeersFieldEvent {
    field: '$.chunks[].peers[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<NewFile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, NewFile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NewFile>): NewFile {
    return decodeMessage(buf, NewFile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NewFile>): Generator<NewFileNameFieldEvent | NewFileIdFieldEvent | NewFileSizeFieldEvent | NewFileChunksIndexFieldEvent | NewFileChunksIdFieldEvent | NewFileChunksOffsetFieldEvent | NewFileChunksSizeFieldEvent | NewFileChunksPeersFieldEvent> {
    return streamMessage(buf, NewFile.codec(), opts)
  }
}

export interface ReportCorrupt {
  chunkId: string
  peerId: string
}

export namespace ReportCorrupt {
  let _codec: Codec<ReportCorrupt>

  export const codec = (): Codec<ReportCorrupt> => {
    if (_codec == null) {
      _codec = message<ReportCorrupt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chunkId != null && obj.chunkId !== '')) {
          w.uint32(10)
          w.string(obj.chunkId)
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(18)
          w.string(obj.peerId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chunkId: '',
          peerId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chunkId = reader.string()
              break
            }
            case 2: {
              obj.peerId = reader.string()
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
                field: `${prefix}.chunkId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
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

  export interface ReportCorruptChunkIdFieldEvent {
    field: '$.chunkId'
    value: string
  }

  export interface ReportCorruptPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export function encode (obj: Partial<ReportCorrupt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReportCorrupt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReportCorrupt>): ReportCorrupt {
    return decodeMessage(buf, ReportCorrupt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReportCorrupt>): Generator<ReportCorruptChunkIdFieldEvent | ReportCorruptPeerIdFieldEvent> {
    return streamMessage(buf, ReportCorrupt.codec(), opts)
  }
}

export interface Remove {
  ref: string
}

export namespace Remove {
  let _codec: Codec<Remove>

  export const codec = (): Codec<Remove> => {
    if (_codec == null) {
      _codec = message<Remove>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ref != null && obj.ref !== '')) {
          w.uint32(10)
          w.string(obj.ref)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ref: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ref = reader.string()
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
                field: `${prefix}.ref`,
                value: reader.string()
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

  export interface RemoveRefFieldEvent {
    field: '$.ref'
    value: string
  }

  export function encode (obj: Partial<Remove>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Remove.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Remove>): Remove {
    return decodeMessage(buf, Remove.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Remove>): Generator<RemoveRefFieldEvent> {
    return streamMessage(buf, Remove.codec(), opts)
  }
}

export interface DirectoryResponse {
  status: Status
  message: string
  uploadId: string
  placements: Placement[]
  nodes: NodeInfo[]
  file?: FileInfo
  chunks: ChunkInfo[]
  files: FileInfo[]
  health?: HealthSummary
  grants: Uint8Array<ArrayBuffer>[]
  resolved: Resolved[]
  nodesVersion: number
}

export namespace DirectoryResponse {
  let _codec: Codec<DirectoryResponse>

  export const codec = (): Codec<DirectoryResponse> => {
    if (_codec == null) {
      _codec = message<DirectoryResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if ((obj.uploadId != null && obj.uploadId !== '')) {
          w.uint32(26)
          w.string(obj.uploadId)
        }

        if (obj.placements != null && obj.placements.length > 0) {
          for (const value of obj.placements) {
            w.uint32(34)
            Placement.codec().encode(value, w)
          }
        }

        if (obj.nodes != null && obj.nodes.length > 0) {
          for (const value of obj.nodes) {
            w.uint32(42)
            NodeInfo.codec().encode(value, w)
          }
        }

        if (obj.file != null) {
          w.uint32(50)
          FileInfo.codec().encode(obj.file, w)
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(58)
            ChunkInfo.codec().encode(value, w)
          }
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(66)
            FileInfo.codec().encode(value, w)
          }
        }

        if (obj.health != null) {
          w.uint32(74)
          HealthSummary.codec().encode(obj.health, w)
        }

        if (obj.grants != null && obj.grants.length > 0) {
          for (const value of obj.grants) {
            w.uint32(82)
            w.bytes(value)
          }
        }

        if (obj.resolved != null && obj.resolved.length > 0) {
          for (const value of obj.resolved) {
            w.uint32(90)
            Resolved.codec().encode(value, w)
          }
        }

        if ((obj.nodesVersion != null && obj.nodesVersion !== 0)) {
          w.uint32(96)
          w.uint64Number(obj.nodesVersion)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          message: '',
          uploadId: '',
          placements: [],
          nodes: [],
          chunks: [],
          files: [],
          grants: [],
          resolved: [],
          nodesVersion: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.uploadId = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.placements != null && obj.placements.length === opts.limits.placements) {
                throw new MaxLengthError('Decode error - repeated field "placements" had too many elements')
              }

              obj.placements.push(Placement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.placements$
              }))
              break
            }
            case 5: {
              if (opts.limits?.nodes != null && obj.nodes.length === opts.limits.nodes) {
                throw new MaxLengthError('Decode error - repeated field "nodes" had too many elements')
              }

              obj.nodes.push(NodeInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nodes$
              }))
              break
            }
            case 6: {
              obj.file = FileInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.file
              })
              break
            }
            case 7: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(ChunkInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chunks$
              }))
              break
            }
            case 8: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(FileInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
              }))
              break
            }
            case 9: {
              obj.health = HealthSummary.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.health
              })
              break
            }
            case 10: {
              if (opts.limits?.grants != null && obj.grants.length === opts.limits.grants) {
                throw new MaxLengthError('Decode error - repeated field "grants" had too many elements')
              }

              obj.grants.push(reader.bytes())
              break
            }
            case 11: {
              if (opts.limits?.resolved != null && obj.resolved.length === opts.limits.resolved) {
                throw new MaxLengthError('Decode error - repeated field "resolved" had too many elements')
              }

              obj.resolved.push(Resolved.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resolved$
              }))
              break
            }
            case 12: {
              obj.nodesVersion = reader.uint64Number()
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
          placements: 0,
          nodes: 0,
          chunks: 0,
          files: 0,
          grants: 0,
          resolved: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.uploadId`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.placements != null && obj.placements === opts.limits.placements) {
                throw new MaxLengthError('Streaming decode error - repeated field "placements" had too many elements')
              }

              for (const evt of Placement.codec().stream(reader, reader.uint32(), `${prefix}.placements[]`, {
                limits: opts.limits?.placements$
              })) {
                yield {
                  ...evt,
                  index: obj.placements
                }
              }

              obj.placements++

              break
            }
            case 5: {
              if (opts.limits?.nodes != null && obj.nodes === opts.limits.nodes) {
                throw new MaxLengthError('Streaming decode error - repeated field "nodes" had too many elements')
              }

              for (const evt of NodeInfo.codec().stream(reader, reader.uint32(), `${prefix}.nodes[]`, {
                limits: opts.limits?.nodes$
              })) {
                yield {
                  ...evt,
                  index: obj.nodes
                }
              }

              obj.nodes++

              break
            }
            case 6: {
              yield * FileInfo.codec().stream(reader, reader.uint32(), `${prefix}.file`, {
                limits: opts.limits?.file
              })

              break
            }
            case 7: {
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              for (const evt of ChunkInfo.codec().stream(reader, reader.uint32(), `${prefix}.chunks[]`, {
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
            case 8: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of FileInfo.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

              break
            }
            case 9: {
              yield * HealthSummary.codec().stream(reader, reader.uint32(), `${prefix}.health`, {
                limits: opts.limits?.health
              })

              break
            }
            case 10: {
              if (opts.limits?.grants != null && obj.grants === opts.limits.grants) {
                throw new MaxLengthError('Streaming decode error - repeated field "grants" had too many elements')
              }

              yield {
                field: `${prefix}.grants[]`,
                index: obj.grants,
                value: reader.bytes()
              }

              obj.grants++

              break
            }
            case 11: {
              if (opts.limits?.resolved != null && obj.resolved === opts.limits.resolved) {
                throw new MaxLengthError('Streaming decode error - repeated field "resolved" had too many elements')
              }

              for (const evt of Resolved.codec().stream(reader, reader.uint32(), `${prefix}.resolved[]`, {
                limits: opts.limits?.resolved$
              })) {
                yield {
                  ...evt,
                  index: obj.resolved
                }
              }

              obj.resolved++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.nodesVersion`,
                value: reader.uint64Number()
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

  export interface DirectoryResponseStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface DirectoryResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface DirectoryResponseUploadIdFieldEvent {
    field: '$.uploadId'
    value: string
  }

  export interface DirectoryResponsePlacementsIndexFieldEvent {
    field: '$.placements[].index'
    value: number
    index: number
  }

  export interface DirectoryResponsePlacementsPeersFieldEvent {
    field: '$.placements[].peers[]'
    index: number
    value: string
  }

  export interface DirectoryResponseNodesPeerIdFieldEvent {
    field: '$.nodes[].peerId'
    value: string
    index: number
  }

  export interface DirectoryResponseNodesAddrsFieldEvent {
    field: '$.nodes[].addrs[]'
    index: number
    value: string
  }

  export interface DirectoryResponseNodesAliveFieldEvent {
    field: '$.nodes[].alive'
    value: boolean
    index: number
  }

  export interface DirectoryResponseNodesUsedFieldEvent {
    field: '$.nodes[].used'
    value: number
    index: number
  }

  export interface DirectoryResponseNodesCapacityFieldEvent {
    field: '$.nodes[].capacity'
    value: number
    index: number
  }

  export interface DirectoryResponseNodesChunksFieldEvent {
    field: '$.nodes[].chunks'
    value: number
    index: number
  }

  export interface DirectoryResponseNodesLastSeenFieldEvent {
    field: '$.nodes[].lastSeen'
    value: number
    index: number
  }

  export interface DirectoryResponseFileNameFieldEvent {
    field: '$.file.name'
    value: string
  }

  export interface DirectoryResponseFileIdFieldEvent {
    field: '$.file.id'
    value: string
  }

  export interface DirectoryResponseFileSizeFieldEvent {
    field: '$.file.size'
    value: number
  }

  export interface DirectoryResponseFileUploadedAtFieldEvent {
    field: '$.file.uploadedAt'
    value: number
  }

  export interface DirectoryResponseFileChunkCountFieldEvent {
    field: '$.file.chunkCount'
    value: number
  }

  export interface DirectoryResponseFileReplicasFieldEvent {
    field: '$.file.replicas'
    value: number
  }

  export interface DirectoryResponseChunksIndexFieldEvent {
    field: '$.chunks[].index'
    value: number
    index: number
  }

  export interface DirectoryResponseChunksIdFieldEvent {
    field: '$.chunks[].id'
    value: string
    index: number
  }

  export interface DirectoryResponseChunksOffsetFieldEvent {
    field: '$.chunks[].offset'
    value: number
    index: number
  }

  export interface DirectoryResponseChunksSizeFieldEvent {
    field: '$.chunks[].size'
    value: number
    index: number
  }

  export interface DirectoryResponseChunksPeersFieldEvent {
    field: '$.chunks[].peers[]'
    index: number
    value: string
  }

  export interface DirectoryResponseFilesNameFieldEvent {
    field: '$.files[].name'
    value: string
    index: number
  }

  export interface DirectoryResponseFilesIdFieldEvent {
    field: '$.files[].id'
    value: string
    index: number
  }

  export interface DirectoryResponseFilesSizeFieldEvent {
    field: '$.files[].size'
    value: number
    index: number
  }

  export interface DirectoryResponseFilesUploadedAtFieldEvent {
    field: '$.files[].uploadedAt'
    value: number
    index: number
  }

  export interface DirectoryResponseFilesChunkCountFieldEvent {
    field: '$.files[].chunkCount'
    value: number
    index: number
  }

  export interface DirectoryResponseFilesReplicasFieldEvent {
    field: '$.files[].replicas'
    value: number
    index: number
  }

  export interface DirectoryResponseHealthChunksFieldEvent {
    field: '$.health.chunks'
    value: number
  }

  export interface DirectoryResponseHealthHealthyFieldEvent {
    field: '$.health.healthy'
    value: number
  }

  export interface DirectoryResponseHealthUnderReplicatedFieldEvent {
    field: '$.health.underReplicated'
    value: number
  }

  export interface DirectoryResponseHealthLostFieldEvent {
    field: '$.health.lost'
    value: number
  }

  export interface DirectoryResponseHealthNodesAliveFieldEvent {
    field: '$.health.nodesAlive'
    value: number
  }

  export interface DirectoryResponseHealthNodesDeadFieldEvent {
    field: '$.health.nodesDead'
    value: number
  }

  export interface DirectoryResponseGrantsFieldEvent {
    field: '$.grants[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryResponseResolvedStatusFieldEvent {
    field: '$.resolved[].status'
    value: Status
    index: number
  }

  export interface DirectoryResponseResolvedMessageFieldEvent {
    field: '$.resolved[].message'
    value: string
    index: number
  }

  export interface DirectoryResponseResolvedFileNameFieldEvent {
    field: '$.resolved[].file.name'
    value: string
    index: number
  }

  export interface DirectoryResponseResolvedFileIdFieldEvent {
    field: '$.resolved[].file.id'
    value: string
    index: number
  }

  export interface DirectoryResponseResolvedFileSizeFieldEvent {
    field: '$.resolved[].file.size'
    value: number
    index: number
  }

  export interface DirectoryResponseResolvedFileUploadedAtFieldEvent {
    field: '$.resolved[].file.uploadedAt'
    value: number
    index: number
  }

  export interface DirectoryResponseResolvedFileChunkCountFieldEvent {
    field: '$.resolved[].file.chunkCount'
    value: number
    index: number
  }

  export interface DirectoryResponseResolvedFileReplicasFieldEvent {
    field: '$.resolved[].file.replicas'
    value: number
    index: number
  }

  export interface DirectoryResponseResolvedChunksIndexFieldEvent {
    field: '$.resolved[].chunks[].index'
    value: number
    index: number
  }

  export interface DirectoryResponseResolvedChunksIdFieldEvent {
    field: '$.resolved[].chunks[].id'
    value: string
    index: number
  }

  export interface DirectoryResponseResolvedChunksOffsetFieldEvent {
    field: '$.resolved[].chunks[].offset'
    value: number
    index: number
  }

  export interface DirectoryResponseResolvedChunksSizeFieldEvent {
    field: '$.resolved[].chunks[].size'
    value: number
    index: number
  }

  export interface DirectoryResponseResolvedChunksPeersFieldEvent {
    field: '$.resolved[].chunks[].peers[]'
    index: number
    value: string
  }

  export interface DirectoryResponseNodesVersionFieldEvent {
    field: '$.nodesVersion'
    value: number
  }

  export function encode (obj: Partial<DirectoryResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryResponse>): DirectoryResponse {
    return decodeMessage(buf, DirectoryResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryResponse>): Generator<DirectoryResponseStatusFieldEvent | DirectoryResponseMessageFieldEvent | DirectoryResponseUploadIdFieldEvent | DirectoryResponsePlacementsIndexFieldEvent | DirectoryResponsePlacementsPeersFieldEvent | DirectoryResponseNodesPeerIdFieldEvent | DirectoryResponseNodesAddrsFieldEvent | DirectoryResponseNodesAliveFieldEvent | DirectoryResponseNodesUsedFieldEvent | DirectoryResponseNodesCapacityFieldEvent | DirectoryResponseNodesChunksFieldEvent | DirectoryResponseNodesLastSeenFieldEvent | DirectoryResponseFileNameFieldEvent | DirectoryResponseFileIdFieldEvent | DirectoryResponseFileSizeFieldEvent | DirectoryResponseFileUploadedAtFieldEvent | DirectoryResponseFileChunkCountFieldEvent | DirectoryResponseFileReplicasFieldEvent | DirectoryResponseChunksIndexFieldEvent | DirectoryResponseChunksIdFieldEvent | DirectoryResponseChunksOffsetFieldEvent | DirectoryResponseChunksSizeFieldEvent | DirectoryResponseChunksPeersFieldEvent | DirectoryResponseFilesNameFieldEvent | DirectoryResponseFilesIdFieldEvent | DirectoryResponseFilesSizeFieldEvent | DirectoryResponseFilesUploadedAtFieldEvent | DirectoryResponseFilesChunkCountFieldEvent | DirectoryResponseFilesReplicasFieldEvent | DirectoryResponseHealthChunksFieldEvent | DirectoryResponseHealthHealthyFieldEvent | DirectoryResponseHealthUnderReplicatedFieldEvent | DirectoryResponseHealthLostFieldEvent | DirectoryResponseHealthNodesAliveFieldEvent | DirectoryResponseHealthNodesDeadFieldEvent | DirectoryResponseGrantsFieldEvent | DirectoryResponseResolvedStatusFieldEvent | DirectoryResponseResolvedMessageFieldEvent | DirectoryResponseResolvedFileNameFieldEvent | DirectoryResponseResolvedFileIdFieldEvent | DirectoryResponseResolvedFileSizeFieldEvent | DirectoryResponseResolvedFileUploadedAtFieldEvent | DirectoryResponseResolvedFileChunkCountFieldEvent | DirectoryResponseResolvedFileReplicasFieldEvent | DirectoryResponseResolvedChunksIndexFieldEvent | DirectoryResponseResolvedChunksIdFieldEvent | DirectoryResponseResolvedChunksOffsetFieldEvent | DirectoryResponseResolvedChunksSizeFieldEvent | DirectoryResponseResolvedChunksPeersFieldEvent | DirectoryResponseNodesVersionFieldEvent> {
    return streamMessage(buf, DirectoryResponse.codec(), opts)
  }
}

export interface BeginUpload {
  name: string
  size?: number
  chunkSize: number
  replicas: number
}

export namespace BeginUpload {
  let _codec: Codec<BeginUpload>

  export const codec = (): Codec<BeginUpload> => {
    if (_codec == null) {
      _codec = message<BeginUpload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.size != null) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.chunkSize != null && obj.chunkSize !== 0)) {
          w.uint32(24)
          w.uint32(obj.chunkSize)
        }

        if ((obj.replicas != null && obj.replicas !== 0)) {
          w.uint32(32)
          w.uint32(obj.replicas)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          chunkSize: 0,
          replicas: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.chunkSize = reader.uint32()
              break
            }
            case 4: {
              obj.replicas = reader.uint32()
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
                field: `${prefix}.name`,
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
                field: `${prefix}.chunkSize`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.replicas`,
                value: reader.uint32()
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

  export interface BeginUploadNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface BeginUploadSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface BeginUploadChunkSizeFieldEvent {
    field: '$.chunkSize'
    value: number
  }

  export interface BeginUploadReplicasFieldEvent {
    field: '$.replicas'
    value: number
  }

  export function encode (obj: Partial<BeginUpload>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BeginUpload.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BeginUpload>): BeginUpload {
    return decodeMessage(buf, BeginUpload.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BeginUpload>): Generator<BeginUploadNameFieldEvent | BeginUploadSizeFieldEvent | BeginUploadChunkSizeFieldEvent | BeginUploadReplicasFieldEvent> {
    return streamMessage(buf, BeginUpload.codec(), opts)
  }
}

export interface PlaceChunks {
  uploadId: string
  first: number
  count: number
  exclude: string[]
  need: number
}

export namespace PlaceChunks {
  let _codec: Codec<PlaceChunks>

  export const codec = (): Codec<PlaceChunks> => {
    if (_codec == null) {
      _codec = message<PlaceChunks>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.uploadId != null && obj.uploadId !== '')) {
          w.uint32(10)
          w.string(obj.uploadId)
        }

        if ((obj.first != null && obj.first !== 0)) {
          w.uint32(16)
          w.uint32(obj.first)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(24)
          w.uint32(obj.count)
        }

        if (obj.exclude != null && obj.exclude.length > 0) {
          for (const value of obj.exclude) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.need != null && obj.need !== 0)) {
          w.uint32(40)
          w.uint32(obj.need)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          uploadId: '',
          first: 0,
          count: 0,
          exclude: [],
          need: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.uploadId = reader.string()
              break
            }
            case 2: {
              obj.first = reader.uint32()
              break
            }
            case 3: {
              obj.count = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.exclude != null && obj.exclude.length === opts.limits.exclude) {
                throw new MaxLengthError('Decode error - repeated field "exclude" had too many elements')
              }

              obj.exclude.push(reader.string())
              break
            }
            case 5: {
              obj.need = reader.uint32()
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
          exclude: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.uploadId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.first`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.exclude != null && obj.exclude === opts.limits.exclude) {
                throw new MaxLengthError('Streaming decode error - repeated field "exclude" had too many elements')
              }

              yield {
                field: `${prefix}.exclude[]`,
                index: obj.exclude,
                value: reader.string()
              }

              obj.exclude++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.need`,
                value: reader.uint32()
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

  export interface PlaceChunksUploadIdFieldEvent {
    field: '$.uploadId'
    value: string
  }

  export interface PlaceChunksFirstFieldEvent {
    field: '$.first'
    value: number
  }

  export interface PlaceChunksCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface PlaceChunksExcludeFieldEvent {
    field: '$.exclude[]'
    index: number
    value: string
  }

  export interface PlaceChunksNeedFieldEvent {
    field: '$.need'
    value: number
  }

  export function encode (obj: Partial<PlaceChunks>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PlaceChunks.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlaceChunks>): PlaceChunks {
    return decodeMessage(buf, PlaceChunks.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlaceChunks>): Generator<PlaceChunksUploadIdFieldEvent | PlaceChunksFirstFieldEvent | PlaceChunksCountFieldEvent | PlaceChunksExcludeFieldEvent | PlaceChunksNeedFieldEvent> {
    return streamMessage(buf, PlaceChunks.codec(), opts)
  }
}

export interface Placement {
  index: number
  peers: string[]
}

export namespace Placement {
  let _codec: Codec<Placement>

  export const codec = (): Codec<Placement> => {
    if (_codec == null) {
      _codec = message<Placement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if (obj.peers != null && obj.peers.length > 0) {
          for (const value of obj.peers) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          peers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - repeated field "peers" had too many elements')
              }

              obj.peers.push(reader.string())
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
          peers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.peers != null && obj.peers === opts.limits.peers) {
                throw new MaxLengthError('Streaming decode error - repeated field "peers" had too many elements')
              }

              yield {
                field: `${prefix}.peers[]`,
                index: obj.peers,
                value: reader.string()
              }

              obj.peers++

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

  export interface PlacementIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface PlacementPeersFieldEvent {
    field: '$.peers[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Placement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Placement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Placement>): Placement {
    return decodeMessage(buf, Placement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Placement>): Generator<PlacementIndexFieldEvent | PlacementPeersFieldEvent> {
    return streamMessage(buf, Placement.codec(), opts)
  }
}

export interface CompleteUpload {
  uploadId: string
  fileId: string
  size: number
  chunks: ChunkInfo[]
  final: boolean
}

export namespace CompleteUpload {
  let _codec: Codec<CompleteUpload>

  export const codec = (): Codec<CompleteUpload> => {
    if (_codec == null) {
      _codec = message<CompleteUpload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.uploadId != null && obj.uploadId !== '')) {
          w.uint32(10)
          w.string(obj.uploadId)
        }

        if ((obj.fileId != null && obj.fileId !== '')) {
          w.uint32(18)
          w.string(obj.fileId)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(34)
            ChunkInfo.codec().encode(value, w)
          }
        }

        if ((obj.final != null && obj.final !== false)) {
          w.uint32(40)
          w.bool(obj.final)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          uploadId: '',
          fileId: '',
          size: 0,
          chunks: [],
          final: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.uploadId = reader.string()
              break
            }
            case 2: {
              obj.fileId = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(ChunkInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chunks$
              }))
              break
            }
            case 5: {
              obj.final = reader.bool()
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
          chunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.uploadId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.fileId`,
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
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              for (const evt of ChunkInfo.codec().stream(reader, reader.uint32(), `${prefix}.chunks[]`, {
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
            case 5: {
              yield {
                field: `${prefix}.final`,
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

  export interface CompleteUploadUploadIdFieldEvent {
    field: '$.uploadId'
    value: string
  }

  export interface CompleteUploadFileIdFieldEvent {
    field: '$.fileId'
    value: string
  }

  export interface CompleteUploadSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface CompleteUploadChunksIndexFieldEvent {
    field: '$.chunks[].index'
    value: number
    index: number
  }

  export interface CompleteUploadChunksIdFieldEvent {
    field: '$.chunks[].id'
    value: string
    index: number
  }

  export interface CompleteUploadChunksOffsetFieldEvent {
    field: '$.chunks[].offset'
    value: number
    index: number
  }

  export interface CompleteUploadChunksSizeFieldEvent {
    field: '$.chunks[].size'
    value: number
    index: number
  }

  export interface CompleteUploadChunksPeersFieldEvent {
    field: '$.chunks[].peers[]'
    index: number
    value: string
  }

  export interface CompleteUploadFinalFieldEvent {
    field: '$.final'
    value: boolean
  }

  export function encode (obj: Partial<CompleteUpload>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CompleteUpload.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CompleteUpload>): CompleteUpload {
    return decodeMessage(buf, CompleteUpload.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CompleteUpload>): Generator<CompleteUploadUploadIdFieldEvent | CompleteUploadFileIdFieldEvent | CompleteUploadSizeFieldEvent | CompleteUploadChunksIndexFieldEvent | CompleteUploadChunksIdFieldEvent | CompleteUploadChunksOffsetFieldEvent | CompleteUploadChunksSizeFieldEvent | CompleteUploadChunksPeersFieldEvent | CompleteUploadFinalFieldEvent> {
    return streamMessage(buf, CompleteUpload.codec(), opts)
  }
}

export interface AbortUpload {
  uploadId: string
}

export namespace AbortUpload {
  let _codec: Codec<AbortUpload>

  export const codec = (): Codec<AbortUpload> => {
    if (_codec == null) {
      _codec = message<AbortUpload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.uploadId != null && obj.uploadId !== '')) {
          w.uint32(10)
          w.string(obj.uploadId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          uploadId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.uploadId = reader.string()
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
                field: `${prefix}.uploadId`,
                value: reader.string()
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

  export interface AbortUploadUploadIdFieldEvent {
    field: '$.uploadId'
    value: string
  }

  export function encode (obj: Partial<AbortUpload>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AbortUpload.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AbortUpload>): AbortUpload {
    return decodeMessage(buf, AbortUpload.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AbortUpload>): Generator<AbortUploadUploadIdFieldEvent> {
    return streamMessage(buf, AbortUpload.codec(), opts)
  }
}

export interface Resolve {
  ref: string
  chunkStart: number
  chunkLimit: number
  nodesVersion: number
}

export namespace Resolve {
  let _codec: Codec<Resolve>

  export const codec = (): Codec<Resolve> => {
    if (_codec == null) {
      _codec = message<Resolve>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ref != null && obj.ref !== '')) {
          w.uint32(10)
          w.string(obj.ref)
        }

        if ((obj.chunkStart != null && obj.chunkStart !== 0)) {
          w.uint32(16)
          w.uint32(obj.chunkStart)
        }

        if ((obj.chunkLimit != null && obj.chunkLimit !== 0)) {
          w.uint32(24)
          w.uint32(obj.chunkLimit)
        }

        if ((obj.nodesVersion != null && obj.nodesVersion !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.nodesVersion)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ref: '',
          chunkStart: 0,
          chunkLimit: 0,
          nodesVersion: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ref = reader.string()
              break
            }
            case 2: {
              obj.chunkStart = reader.uint32()
              break
            }
            case 3: {
              obj.chunkLimit = reader.uint32()
              break
            }
            case 4: {
              obj.nodesVersion = reader.uint64Number()
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
                field: `${prefix}.ref`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chunkStart`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.chunkLimit`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.nodesVersion`,
                value: reader.uint64Number()
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

  export interface ResolveRefFieldEvent {
    field: '$.ref'
    value: string
  }

  export interface ResolveChunkStartFieldEvent {
    field: '$.chunkStart'
    value: number
  }

  export interface ResolveChunkLimitFieldEvent {
    field: '$.chunkLimit'
    value: number
  }

  export interface ResolveNodesVersionFieldEvent {
    field: '$.nodesVersion'
    value: number
  }

  export function encode (obj: Partial<Resolve>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Resolve.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Resolve>): Resolve {
    return decodeMessage(buf, Resolve.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Resolve>): Generator<ResolveRefFieldEvent | ResolveChunkStartFieldEvent | ResolveChunkLimitFieldEvent | ResolveNodesVersionFieldEvent> {
    return streamMessage(buf, Resolve.codec(), opts)
  }
}

export interface ListFiles {
  after: string
  limit: number
}

export namespace ListFiles {
  let _codec: Codec<ListFiles>

  export const codec = (): Codec<ListFiles> => {
    if (_codec == null) {
      _codec = message<ListFiles>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.after != null && obj.after !== '')) {
          w.uint32(10)
          w.string(obj.after)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(16)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          after: '',
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.after = reader.string()
              break
            }
            case 2: {
              obj.limit = reader.uint32()
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
                field: `${prefix}.after`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
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

  export interface ListFilesAfterFieldEvent {
    field: '$.after'
    value: string
  }

  export interface ListFilesLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<ListFiles>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ListFiles.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ListFiles>): ListFiles {
    return decodeMessage(buf, ListFiles.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ListFiles>): Generator<ListFilesAfterFieldEvent | ListFilesLimitFieldEvent> {
    return streamMessage(buf, ListFiles.codec(), opts)
  }
}

export interface ListNodes {}

export namespace ListNodes {
  let _codec: Codec<ListNodes>

  export const codec = (): Codec<ListNodes> => {
    if (_codec == null) {
      _codec = message<ListNodes>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export function encode (obj: Partial<ListNodes>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ListNodes.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ListNodes>): ListNodes {
    return decodeMessage(buf, ListNodes.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ListNodes>): Generator<{}> {
    return streamMessage(buf, ListNodes.codec(), opts)
  }
}

export interface NodeInfo {
  peerId: string
  addrs: string[]
  alive: boolean
  used: number
  capacity: number
  chunks: number
  lastSeen: number
}

export namespace NodeInfo {
  let _codec: Codec<NodeInfo>

  export const codec = (): Codec<NodeInfo> => {
    if (_codec == null) {
      _codec = message<NodeInfo>((obj, w, opts = {}) => {
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

        if ((obj.alive != null && obj.alive !== false)) {
          w.uint32(24)
          w.bool(obj.alive)
        }

        if ((obj.used != null && obj.used !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.used)
        }

        if ((obj.capacity != null && obj.capacity !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.capacity)
        }

        if ((obj.chunks != null && obj.chunks !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.chunks)
        }

        if ((obj.lastSeen != null && obj.lastSeen !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.lastSeen)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          addrs: [],
          alive: false,
          used: 0,
          capacity: 0,
          chunks: 0,
          lastSeen: 0
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
              obj.alive = reader.bool()
              break
            }
            case 4: {
              obj.used = reader.uint64Number()
              break
            }
            case 5: {
              obj.capacity = reader.uint64Number()
              break
            }
            case 6: {
              obj.chunks = reader.uint64Number()
              break
            }
            case 7: {
              obj.lastSeen = reader.uint64Number()
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
                field: `${prefix}.alive`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.used`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.capacity`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.chunks`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.lastSeen`,
                value: reader.uint64Number()
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

  export interface NodeInfoPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface NodeInfoAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface NodeInfoAliveFieldEvent {
    field: '$.alive'
    value: boolean
  }

  export interface NodeInfoUsedFieldEvent {
    field: '$.used'
    value: number
  }

  export interface NodeInfoCapacityFieldEvent {
    field: '$.capacity'
    value: number
  }

  export interface NodeInfoChunksFieldEvent {
    field: '$.chunks'
    value: number
  }

  export interface NodeInfoLastSeenFieldEvent {
    field: '$.lastSeen'
    value: number
  }

  export function encode (obj: Partial<NodeInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, NodeInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeInfo>): NodeInfo {
    return decodeMessage(buf, NodeInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeInfo>): Generator<NodeInfoPeerIdFieldEvent | NodeInfoAddrsFieldEvent | NodeInfoAliveFieldEvent | NodeInfoUsedFieldEvent | NodeInfoCapacityFieldEvent | NodeInfoChunksFieldEvent | NodeInfoLastSeenFieldEvent> {
    return streamMessage(buf, NodeInfo.codec(), opts)
  }
}

export interface FileInfo {
  name: string
  id: string
  size: number
  uploadedAt: number
  chunkCount: number
  replicas: number
}

export namespace FileInfo {
  let _codec: Codec<FileInfo>

  export const codec = (): Codec<FileInfo> => {
    if (_codec == null) {
      _codec = message<FileInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(18)
          w.string(obj.id)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if ((obj.uploadedAt != null && obj.uploadedAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.uploadedAt)
        }

        if ((obj.chunkCount != null && obj.chunkCount !== 0)) {
          w.uint32(40)
          w.uint32(obj.chunkCount)
        }

        if ((obj.replicas != null && obj.replicas !== 0)) {
          w.uint32(48)
          w.uint32(obj.replicas)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          id: '',
          size: 0,
          uploadedAt: 0,
          chunkCount: 0,
          replicas: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.id = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              obj.uploadedAt = reader.uint64Number()
              break
            }
            case 5: {
              obj.chunkCount = reader.uint32()
              break
            }
            case 6: {
              obj.replicas = reader.uint32()
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
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
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
              yield {
                field: `${prefix}.uploadedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.chunkCount`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.replicas`,
                value: reader.uint32()
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

  export interface FileInfoNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface FileInfoIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface FileInfoSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface FileInfoUploadedAtFieldEvent {
    field: '$.uploadedAt'
    value: number
  }

  export interface FileInfoChunkCountFieldEvent {
    field: '$.chunkCount'
    value: number
  }

  export interface FileInfoReplicasFieldEvent {
    field: '$.replicas'
    value: number
  }

  export function encode (obj: Partial<FileInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileInfo>): FileInfo {
    return decodeMessage(buf, FileInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileInfo>): Generator<FileInfoNameFieldEvent | FileInfoIdFieldEvent | FileInfoSizeFieldEvent | FileInfoUploadedAtFieldEvent | FileInfoChunkCountFieldEvent | FileInfoReplicasFieldEvent> {
    return streamMessage(buf, FileInfo.codec(), opts)
  }
}

export interface HealthSummary {
  chunks: number
  healthy: number
  underReplicated: number
  lost: number
  nodesAlive: number
  nodesDead: number
}

export namespace HealthSummary {
  let _codec: Codec<HealthSummary>

  export const codec = (): Codec<HealthSummary> => {
    if (_codec == null) {
      _codec = message<HealthSummary>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chunks != null && obj.chunks !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.chunks)
        }

        if ((obj.healthy != null && obj.healthy !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.healthy)
        }

        if ((obj.underReplicated != null && obj.underReplicated !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.underReplicated)
        }

        if ((obj.lost != null && obj.lost !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.lost)
        }

        if ((obj.nodesAlive != null && obj.nodesAlive !== 0)) {
          w.uint32(40)
          w.uint32(obj.nodesAlive)
        }

        if ((obj.nodesDead != null && obj.nodesDead !== 0)) {
          w.uint32(48)
          w.uint32(obj.nodesDead)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chunks: 0,
          healthy: 0,
          underReplicated: 0,
          lost: 0,
          nodesAlive: 0,
          nodesDead: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chunks = reader.uint64Number()
              break
            }
            case 2: {
              obj.healthy = reader.uint64Number()
              break
            }
            case 3: {
              obj.underReplicated = reader.uint64Number()
              break
            }
            case 4: {
              obj.lost = reader.uint64Number()
              break
            }
            case 5: {
              obj.nodesAlive = reader.uint32()
              break
            }
            case 6: {
              obj.nodesDead = reader.uint32()
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
                field: `${prefix}.chunks`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.healthy`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.underReplicated`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.lost`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.nodesAlive`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.nodesDead`,
                value: reader.uint32()
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

  export interface HealthSummaryChunksFieldEvent {
    field: '$.chunks'
    value: number
  }

  export interface HealthSummaryHealthyFieldEvent {
    field: '$.healthy'
    value: number
  }

  export interface HealthSummaryUnderReplicatedFieldEvent {
    field: '$.underReplicated'
    value: number
  }

  export interface HealthSummaryLostFieldEvent {
    field: '$.lost'
    value: number
  }

  export interface HealthSummaryNodesAliveFieldEvent {
    field: '$.nodesAlive'
    value: number
  }

  export interface HealthSummaryNodesDeadFieldEvent {
    field: '$.nodesDead'
    value: number
  }

  export function encode (obj: Partial<HealthSummary>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HealthSummary.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HealthSummary>): HealthSummary {
    return decodeMessage(buf, HealthSummary.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HealthSummary>): Generator<HealthSummaryChunksFieldEvent | HealthSummaryHealthyFieldEvent | HealthSummaryUnderReplicatedFieldEvent | HealthSummaryLostFieldEvent | HealthSummaryNodesAliveFieldEvent | HealthSummaryNodesDeadFieldEvent> {
    return streamMessage(buf, HealthSummary.codec(), opts)
  }
}

export interface Health {}

export namespace Health {
  let _codec: Codec<Health>

  export const codec = (): Codec<Health> => {
    if (_codec == null) {
      _codec = message<Health>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export function encode (obj: Partial<Health>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Health.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Health>): Health {
    return decodeMessage(buf, Health.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Health>): Generator<{}> {
    return streamMessage(buf, Health.codec(), opts)
  }
}

export interface ChunkInfo {
  index: number
  id: string
  offset: number
  size: number
  peers: string[]
}

export namespace ChunkInfo {
  let _codec: Codec<ChunkInfo>

  export const codec = (): Codec<ChunkInfo> => {
    if (_codec == null) {
      _codec = message<ChunkInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(18)
          w.string(obj.id)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.offset)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(32)
          w.uint32(obj.size)
        }

        if (obj.peers != null && obj.peers.length > 0) {
          for (const value of obj.peers) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          id: '',
          offset: 0,
          size: 0,
          peers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.id = reader.string()
              break
            }
            case 3: {
              obj.offset = reader.uint64Number()
              break
            }
            case 4: {
              obj.size = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - repeated field "peers" had too many elements')
              }

              obj.peers.push(reader.string())
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
          peers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              if (opts.limits?.peers != null && obj.peers === opts.limits.peers) {
                throw new MaxLengthError('Streaming decode error - repeated field "peers" had too many elements')
              }

              yield {
                field: `${prefix}.peers[]`,
                index: obj.peers,
                value: reader.string()
              }

              obj.peers++

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

  export interface ChunkInfoIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface ChunkInfoIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ChunkInfoOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface ChunkInfoSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface ChunkInfoPeersFieldEvent {
    field: '$.peers[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<ChunkInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkInfo>): ChunkInfo {
    return decodeMessage(buf, ChunkInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkInfo>): Generator<ChunkInfoIndexFieldEvent | ChunkInfoIdFieldEvent | ChunkInfoOffsetFieldEvent | ChunkInfoSizeFieldEvent | ChunkInfoPeersFieldEvent> {
    return streamMessage(buf, ChunkInfo.codec(), opts)
  }
}
