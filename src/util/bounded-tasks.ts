/**
 * Run async tasks with at most `limit` at once. `add` waits for a free slot,
 * so a producer is slowed to the pace of the tasks (bounded memory). The first
 * failure is rethrown by the next `add` or by `done`.
 */
export class BoundedTasks {
  private readonly running = new Set<Promise<void>>()
  private failure?: unknown

  constructor (private readonly limit: number) {}

  async add (task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running)
    this.throwIfFailed()
    const run: Promise<void> = task()
      .catch((err) => { this.failure ??= err })
      .finally(() => { this.running.delete(run) })
    this.running.add(run)
  }

  async done (): Promise<void> {
    await Promise.all(this.running)
    this.throwIfFailed()
  }

  private throwIfFailed (): void {
    if (this.failure != null) throw this.failure
  }
}
