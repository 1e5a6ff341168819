import { alignedBuffers } from './direct-io.ts'

/**
 * A few chunk-sized buffers, reused: fresh buffers that live as long as their
 * chunk is in flight survive into V8's old generation, and collecting them
 * would be the biggest cost of an upload. Buffers are made as needed, up to
 * `count`; `acquire` waits for a released one after that.
 */
export class SlabPool {
  private readonly free: Uint8Array[] = []
  private made = 0
  private readonly waiting: Array<(slab: Uint8Array) => void> = []

  /** page-aligned buffers for direct I/O, made on first use: false when not asked for or not available */
  private aligned: Uint8Array[] | false | undefined

  /**
   * With `direct`, slabs start on a page and have room to pad `slabSize` up to
   * the direct I/O alignment (see direct-io.ts), when this platform allows.
   */
  constructor (readonly slabSize: number, private readonly count: number, options: { direct?: boolean } = {}) {
    if (options.direct !== true) this.aligned = false
  }

  private make (): Uint8Array {
    this.made++
    if (this.aligned === undefined) this.aligned = alignedBuffers(this.slabSize, this.count) ?? false
    return this.aligned === false ? Buffer.allocUnsafeSlow(this.slabSize) : this.aligned[this.made - 1]
  }

  /** buffers handed out and not yet released */
  get inUse (): number {
    return this.made - this.free.length
  }

  /** A buffer now, or undefined when all are in use (for callers with another way to go). */
  tryAcquire (): Uint8Array | undefined {
    const slab = this.free.pop()
    if (slab != null) return slab
    if (this.made < this.count) return this.make()
    return undefined
  }

  async acquire (): Promise<Uint8Array> {
    const slab = this.free.pop()
    if (slab != null) return slab
    if (this.made < this.count) return this.make()
    return await new Promise((resolve) => { this.waiting.push(resolve) })
  }

  release (slab: Uint8Array): void {
    const waiter = this.waiting.shift()
    if (waiter != null) waiter(slab)
    else this.free.push(slab)
  }
}
