/**
 * A signal that aborts after `ms`, or when `parent` does, and that lets go of
 * its timer and of `parent` the moment the work it bounds is over (`clear`).
 *
 * AbortSignal.timeout() and AbortSignal.any() keep their timer, and the links
 * between the signals, until the time is up; made per chunk read at download
 * speed, far more of them would be alive at once than reads in flight.
 */
export class Deadline {
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private readonly onParentAbort?: () => void
  /** whether it was the time limit, not the parent, that ended it */
  expired = false

  constructor (ms: number, private readonly parent?: AbortSignal) {
    this.timer = setTimeout(() => {
      this.expired = true
      this.controller.abort(new DOMException(`the operation took longer than ${ms} ms`, 'TimeoutError'))
    }, ms).unref()
    if (parent == null) return
    if (parent.aborted) {
      this.controller.abort(parent.reason)
    } else {
      this.onParentAbort = () => { this.controller.abort(parent.reason) }
      parent.addEventListener('abort', this.onParentAbort, { once: true })
    }
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  /** The work is over: stop the timer and stop listening to the parent. */
  clear (): void {
    clearTimeout(this.timer)
    if (this.onParentAbort != null) this.parent?.removeEventListener('abort', this.onParentAbort)
  }
}
