/**
 * Work in flight on a peer that may be asked to stop: a clean stop refuses
 * new work, lets what is running finish (up to a time limit), and only then
 * closes the connections it runs on.
 */
export class Drain {
  private active = 0
  private onIdle?: () => void
  /** true once stopping: new requests are refused */
  draining = false

  get inFlight (): number {
    return this.active
  }

  begin (): void {
    this.active++
  }

  end (): void {
    this.active--
    if (this.active === 0) this.onIdle?.()
  }

  /** Refuse new work from now on; resolves true once nothing runs, false when `timeoutMs` ran out first. */
  async drain (timeoutMs: number): Promise<boolean> {
    this.draining = true
    if (this.active === 0) return true
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { resolve(this.active === 0) }, timeoutMs)
      this.onIdle = () => {
        clearTimeout(timer)
        resolve(true)
      }
    })
  }
}
