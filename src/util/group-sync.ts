/**
 * One fsync shared by everyone who asks while another runs: callers wait for
 * a flush that *starts* after they ask (so it covers what they wrote), and
 * all those who asked during one flush share the next. The directory's WAL
 * and the nodes' chunk folders both sync this way.
 */
export class GroupSync {
  private running = false
  private waiting: Array<(err: Error | null) => void> = []

  /** `flush` does the sync and calls back once, with an error or null. */
  constructor (private readonly flush: (done: (err: Error | null) => void) => void) {}

  get idle (): boolean {
    return !this.running && this.waiting.length === 0
  }

  async sync (): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.waiting.push((err) => { if (err != null) reject(err); else resolve() })
      if (!this.running) this.run()
    })
  }

  private run (): void {
    this.running = true
    const batch = this.waiting
    this.waiting = []
    this.flush((err) => {
      this.running = false
      for (const settle of batch) settle(err)
      if (this.waiting.length > 0) this.run()
      else this.onIdle?.()
    })
  }

  /** called when the last flush ends with nobody waiting */
  onIdle?: () => void
}
