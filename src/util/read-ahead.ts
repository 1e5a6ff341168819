/**
 * Pull up to `depth` items from `source` ahead of the consumer, so producing
 * the next item (reading and hashing a chunk) overlaps consuming this one
 * (sending it). Memory: depth + 1 items.
 */
export async function * readAhead<T> (source: AsyncIterable<T>, depth: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  const pending: Array<Promise<IteratorResult<T>>> = []
  try {
    while (true) {
      while (pending.length < depth + 1) pending.push(iterator.next())
      const result = await pending.shift()!
      if (result.done === true) return
      yield result.value
    }
  } finally {
    // surface nothing from abandoned reads; let the source clean up
    for (const p of pending) p.catch(() => {})
    await iterator.return?.()
  }
}
