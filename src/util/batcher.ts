/**
 * Requests made at the same time, sent together: items added in one turn of
 * the event loop go in one batch, and while `maxInFlight` batches are on
 * their way, new items wait and go in the next. One caller alone gets a
 * batch of one, at once; many callers share requests, and the more of them,
 * the bigger the batches. One batch in flight is the default because it makes
 * the biggest batches, which suits small downloads best.
 *
 * `send` answers every item of a batch, in order: a value, or an Error for
 * that item alone. If `send` throws, every item of the batch gets that error.
 */
export class Batcher<Item, Result> {
  private queue: Array<{ item: Item, resolve: (result: Result) => void, reject: (err: unknown) => void }> = []
  private inFlight = 0
  private scheduled = false

  /**
   * `fits`, if given, says whether an item may join a batch (e.g. within a
   * byte limit); an item that may not waits, in order, for a later batch.
   */
  constructor (private readonly send: (items: Item[]) => Promise<Array<Result | Error>>, private readonly maxItems: number, private readonly maxInFlight = 1, private readonly fits?: (batch: Item[], item: Item) => boolean) {}

  async add (item: Item, signal?: AbortSignal): Promise<Result> {
    signal?.throwIfAborted()
    return await new Promise<Result>((resolve, reject) => {
      // a caller that gives up is answered at once; its item still goes (or has gone) with its batch
      const onAbort = (): void => { reject(signal?.reason) }
      signal?.addEventListener('abort', onAbort, { once: true })
      const settle = <T>(fn: (value: T) => void) => (value: T): void => {
        signal?.removeEventListener('abort', onAbort)
        fn(value)
      }
      this.queue.push({ item, resolve: settle(resolve), reject: settle(reject) })
      this.schedule()
    })
  }

  private schedule (): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      // shared with the batches that could go beside this one, so that they overlap
      const size = Math.min(this.maxItems, Math.ceil(this.queue.length / (this.maxInFlight - this.inFlight)))
      const batch = this.take(size)
      this.inFlight++
      void this.run(batch).finally(() => {
        this.inFlight--
        this.schedule()
      })
      this.schedule()
    })
  }

  private take (size: number): typeof this.queue {
    if (this.fits == null) return this.queue.splice(0, size)
    const batch: typeof this.queue = []
    const items: Item[] = []
    const rest: typeof this.queue = []
    for (const entry of this.queue) {
      // the first item always goes, or one that fits no batch would wait forever
      if (batch.length < size && (batch.length === 0 || this.fits(items, entry.item))) {
        batch.push(entry)
        items.push(entry.item)
      } else {
        rest.push(entry)
      }
    }
    this.queue = rest
    return batch
  }

  private async run (batch: typeof this.queue): Promise<void> {
    let results: Array<Result | Error>
    try {
      results = await this.send(batch.map((entry) => entry.item))
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${results.length} answers`)
    } catch (err) {
      for (const entry of batch) entry.reject(err)
      return
    }
    for (const [i, entry] of batch.entries()) {
      const result = results[i]
      if (result instanceof Error) entry.reject(result)
      else entry.resolve(result)
    }
  }
}
