/**
 * A few chunk-sized buffers, reused: reading a file into fresh buffers that
 * then live as long as their chunk is in flight made every one survive into
 * V8's old generation, and the garbage collector became the biggest cost of
 * an upload. Buffers are made as needed, up to `count`; `acquire` waits for a
 * released one after that.
 */
export class SlabPool {
  private readonly free: Uint8Array[] = []
  private made = 0
  private readonly waiting: Array<(slab: Uint8Array) => void> = []

  constructor (readonly slabSize: number, private readonly count: number) {}

  /** A buffer now, or undefined when all are in use (for callers with another way to go). */
  tryAcquire (): Uint8Array | undefined {
    const slab = this.free.pop()
    if (slab != null) return slab
    if (this.made < this.count) {
      this.made++
      return Buffer.allocUnsafeSlow(this.slabSize)
    }
    return undefined
  }

  async acquire (): Promise<Uint8Array> {
    const slab = this.free.pop()
    if (slab != null) return slab
    if (this.made < this.count) {
      this.made++
      return Buffer.allocUnsafeSlow(this.slabSize)
    }
    return await new Promise((resolve) => { this.waiting.push(resolve) })
  }

  release (slab: Uint8Array): void {
    const waiter = this.waiting.shift()
    if (waiter != null) waiter(slab)
    else this.free.push(slab)
  }
}

