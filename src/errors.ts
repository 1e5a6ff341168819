/**
 * One class per failure. Code and tests match on `.name`; the CLI prints
 * `.message`, so every message says what went wrong and, where it can, what to do.
 */
export class DfsError extends Error {
  static override name = 'DfsError'
  override name = 'DfsError'
}

export class InvalidInputError extends DfsError {
  static override name = 'InvalidInputError'
  override name = 'InvalidInputError'
}

export class ConfigError extends DfsError {
  static override name = 'ConfigError'
  override name = 'ConfigError'
}

/** A peer could not listen on an address it was given (in use, not this machine's, …). */
export class ListenError extends DfsError {
  static override name = 'ListenError'
  override name = 'ListenError'
}

export class DirectoryUnreachableError extends DfsError {
  static override name = 'DirectoryUnreachableError'
  override name = 'DirectoryUnreachableError'
}

export class NotFoundError extends DfsError {
  static override name = 'NotFoundError'
  override name = 'NotFoundError'
}

export class NoCapacityError extends DfsError {
  static override name = 'NoCapacityError'
  override name = 'NoCapacityError'
}

export class ChunkTransferError extends DfsError {
  static override name = 'ChunkTransferError'
  override name = 'ChunkTransferError'
}

export class IntegrityError extends DfsError {
  static override name = 'IntegrityError'
  override name = 'IntegrityError'
}

export class ProtocolError extends DfsError {
  static override name = 'ProtocolError'
  override name = 'ProtocolError'
}

/** The peer reset a new stream before any request on it: over its stream limit for now. Safe to retry. */
export class StreamRefusedError extends ProtocolError {
  static override name = 'StreamRefusedError'
  override name = 'StreamRefusedError'
}

/** A peer closed a connection it had let in, or stopped accepting them: it is stopping or restarting, not refusing. */
export class PeerClosedError extends DfsError {
  static override name = 'PeerClosedError'
  override name = 'PeerClosedError'
}

export class RemoteError extends DfsError {
  static override name = 'RemoteError'
  override name = 'RemoteError'
}

/** The peer is not allowed to do this: not a member, no role, or no valid grant. */
export class ForbiddenError extends DfsError {
  static override name = 'ForbiddenError'
  override name = 'ForbiddenError'
}

/** A peer went quiet mid-request for longer than the server waits. */
export class IdleTimeoutError extends DfsError {
  static override name = 'IdleTimeoutError'
  override name = 'IdleTimeoutError'
}

/** The user stopped the command (SIGINT, SIGTERM). */
export class InterruptedError extends DfsError {
  static override name = 'InterruptedError'
  override name = 'InterruptedError'
}
