import { ChunkTransferError, ForbiddenError, IntegrityError, InvalidInputError, NoCapacityError, NotFoundError, RemoteError } from '../errors.ts'
import { Status } from './pb/directory.ts'
import { StoreResponse } from './pb/store.ts'

/**
 * How the project's typed errors travel on the wire, per protocol family: the
 * status a server answers for an error (matched by `.name`, so an error from
 * another copy of the module still maps), and the error a client raises for a
 * status. The two directions are listed apart because they differ on purpose:
 * a store client treats a node's INVALID as a failed transfer, not as bad
 * input of its user's.
 */

type ErrorClass = new (message: string) => Error

/** Statuses of /dfs/directory, /dfs/register and /dfs/inventory for each typed error; any other error is ERROR. */
const DIRECTORY_STATUS_BY_ERROR: Readonly<Record<string, Status>> = {
  InvalidInputError: Status.INVALID,
  NotFoundError: Status.NOT_FOUND,
  NoCapacityError: Status.UNAVAILABLE,
  ForbiddenError: Status.FORBIDDEN
}

/** The error a directory client raises for each status; another non-OK status is a RemoteError. */
const DIRECTORY_ERROR_BY_STATUS: Readonly<Partial<Record<Status, ErrorClass>>> = {
  [Status.NOT_FOUND]: NotFoundError,
  [Status.INVALID]: InvalidInputError,
  [Status.UNAVAILABLE]: NoCapacityError,
  [Status.FORBIDDEN]: ForbiddenError
}

/** Statuses of /dfs/store for each typed error; any other error is ERROR. */
const STORE_STATUS_BY_ERROR: Readonly<Record<string, StoreResponse.Status>> = {
  InvalidInputError: StoreResponse.Status.INVALID,
  IntegrityError: StoreResponse.Status.HASH_MISMATCH,
  NoCapacityError: StoreResponse.Status.FULL,
  ForbiddenError: StoreResponse.Status.FORBIDDEN
}

/** The error a store client raises for each status; another non-OK status is a ChunkTransferError. */
const STORE_ERROR_BY_STATUS: Readonly<Partial<Record<StoreResponse.Status, ErrorClass>>> = {
  [StoreResponse.Status.NOT_FOUND]: NotFoundError,
  [StoreResponse.Status.HASH_MISMATCH]: IntegrityError,
  [StoreResponse.Status.FULL]: NoCapacityError,
  [StoreResponse.Status.FORBIDDEN]: ForbiddenError
}

function nameOf (err: unknown): string {
  const name = (err as Error | undefined)?.name
  return typeof name === 'string' ? name : ''
}

/** The status a directory answers for `err`. */
export function directoryStatusOf (err: unknown): Status {
  const name = nameOf(err)
  return Object.hasOwn(DIRECTORY_STATUS_BY_ERROR, name) ? DIRECTORY_STATUS_BY_ERROR[name] : Status.ERROR
}

/** The error a client raises for a directory's non-OK answer, with the directory's message. */
export function directoryError (status: Status, message: string): Error {
  const ErrorClass = DIRECTORY_ERROR_BY_STATUS[status]
  return ErrorClass != null ? new ErrorClass(message) : new RemoteError(`the directory failed: ${message}`)
}

/** The status a storage node answers for `err`. */
export function storeStatusOf (err: unknown): StoreResponse.Status {
  const name = nameOf(err)
  return Object.hasOwn(STORE_STATUS_BY_ERROR, name) ? STORE_STATUS_BY_ERROR[name] : StoreResponse.Status.ERROR
}

/** The error a client raises for a node's non-OK answer; `message` already names the node. */
export function storeError (status: StoreResponse.Status, message: string): Error {
  const ErrorClass = STORE_ERROR_BY_STATUS[status]
  return ErrorClass != null ? new ErrorClass(message) : new ChunkTransferError(message)
}
