import assert from 'node:assert/strict'
import { ChunkTransferError, ForbiddenError, IntegrityError, InvalidInputError, NoCapacityError, NotFoundError, ProtocolError } from '../../src/errors.ts'
import { Status } from '../../src/protocol/pb/directory.ts'
import { StoreResponse } from '../../src/protocol/pb/store.ts'
import { directoryError, directoryStatusOf, storeError, storeStatusOf } from '../../src/protocol/status.ts'

describe('typed errors on the wire (protocol/status.ts)', () => {
  it('a directory error comes back to the client as the same class with the same message', () => {
    for (const ErrorClass of [InvalidInputError, NotFoundError, NoCapacityError, ForbiddenError]) {
      const status = directoryStatusOf(new ErrorClass('why'))
      assert.notEqual(status, Status.ERROR, ErrorClass.name)
      const back = directoryError(status, 'why')
      assert.deepEqual([back.name, back.message], [ErrorClass.name, 'why'])
    }
    assert.deepEqual([directoryStatusOf(new NoCapacityError('')), directoryStatusOf(new ForbiddenError(''))], [Status.UNAVAILABLE, Status.FORBIDDEN])
  })

  it('any other error is ERROR, which a client reports as the directory failing', () => {
    for (const err of [new Error('boom'), new ProtocolError('x'), new IntegrityError('x'), 'a string', undefined, { name: 'toString' }]) {
      assert.equal(directoryStatusOf(err), Status.ERROR)
    }
    const back = directoryError(Status.ERROR, 'disk full')
    assert.deepEqual([back.name, back.message], ['RemoteError', 'the directory failed: disk full'])
  })

  it('a node\'s statuses: corrupt bytes, a full disk and a refusal come back typed; INVALID and ERROR are failed transfers', () => {
    assert.deepEqual([IntegrityError, NoCapacityError, ForbiddenError, InvalidInputError, NotFoundError].map((ErrorClass) => storeStatusOf(new ErrorClass(''))),
      [StoreResponse.Status.HASH_MISMATCH, StoreResponse.Status.FULL, StoreResponse.Status.FORBIDDEN, StoreResponse.Status.INVALID, StoreResponse.Status.ERROR])
    assert.deepEqual([StoreResponse.Status.NOT_FOUND, StoreResponse.Status.HASH_MISMATCH, StoreResponse.Status.FULL, StoreResponse.Status.FORBIDDEN, StoreResponse.Status.INVALID, StoreResponse.Status.ERROR]
      .map((status) => storeError(status, 'node x: why').name),
    [NotFoundError.name, IntegrityError.name, NoCapacityError.name, ForbiddenError.name, ChunkTransferError.name, ChunkTransferError.name])
    assert.equal(storeError(StoreResponse.Status.FULL, 'node x: full').message, 'node x: full')
  })
})
