/**
 * A bounded hand-off of byte pieces from one producer to one consumer: `push`
 * waits while `capacity` pieces are queued, so a slow consumer slows the
 * producer instead of growing memory. A consumer that gives up calls `close`,
 * after which pushes are dropped at once (the producer carries on with its
 * other consumers).
 */
export class PieceQueue implements AsyncIterable<Uint8Array> {
  private items: Uint8Array[] = []
  private ended = false
  private closed = false
  private wakeConsumer?: () => void
  private wakeProducer?: () => void

  constructor (private readonly capacity = 4) {}

  async push (piece: Uint8Array): Promise<void> {
    if (this.closed) return
    this.items.push(piece)
    this.signalConsumer()
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => { this.wakeProducer = resolve })
    }
  }

  /** No more pieces: the consumer sees the end once it has taken the rest. */
  end (): void {
    this.ended = true
    this.signalConsumer()
  }

  /** Either side is gone: drop what is queued and whatever comes; a waiting consumer sees the end. */
  close (): void {
    this.closed = true
    this.items = []
    this.signalProducer()
    this.signalConsumer()
  }

  private signalConsumer (): void {
    const wake = this.wakeConsumer
    this.wakeConsumer = undefined
    wake?.()
  }

  private signalProducer (): void {
    const wake = this.wakeProducer
    this.wakeProducer = undefined
    wake?.()
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Uint8Array> {
    while (true) {
      const piece = this.items.shift()
      if (piece != null) {
        this.signalProducer()
        yield piece
        continue
      }
      if (this.ended || this.closed) return
      await new Promise<void>((resolve) => { this.wakeConsumer = resolve })
    }
  }
}
