import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Deadline } from '../../src/util/deadline.ts'

/** A parent signal that counts the abort listeners added to it and still attached. */
function countingParent (): { controller: AbortController, attached: () => number } {
  const controller = new AbortController()
  const signal = controller.signal
  let attached = 0
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  signal.addEventListener = ((...args: Parameters<typeof add>) => { attached++; add(...args) }) as typeof add
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => { attached--; remove(...args) }) as typeof remove
  return { controller, attached: () => attached }
}

describe('Deadline: a time limit that lets go when the work is over', () => {
  it('aborts when its time is up, and says it was the time', async () => {
    const deadline = new Deadline(30)
    await sleep(80)
    assert.ok(deadline.signal.aborted)
    assert.ok(deadline.expired)
    assert.equal((deadline.signal.reason as Error).name, 'TimeoutError')
  })

  it('aborts with its parent, with the parent\'s reason, not as expired', () => {
    const { controller } = countingParent()
    const deadline = new Deadline(60_000, controller.signal)
    controller.abort(new Error('the download was given up'))
    assert.ok(deadline.signal.aborted)
    assert.equal(deadline.expired, false)
    assert.match((deadline.signal.reason as Error).message, /given up/)
    deadline.clear()
  })

  it('starts aborted under a parent that already is', () => {
    const parent = AbortSignal.abort(new Error('already'))
    const deadline = new Deadline(60_000, parent)
    assert.ok(deadline.signal.aborted)
    deadline.clear()
  })

  it('once cleared, neither fires nor stays attached to its parent', async () => {
    const { controller, attached } = countingParent()
    const deadlines = Array.from({ length: 100 }, () => new Deadline(30, controller.signal))
    assert.equal(attached(), 100)
    for (const deadline of deadlines) deadline.clear()
    assert.equal(attached(), 0, 'the parent holds no listener of a finished deadline')
    await sleep(80)
    assert.ok(deadlines.every((deadline) => !deadline.signal.aborted && !deadline.expired), 'a cleared timer does not fire')
    controller.abort()
    assert.ok(deadlines.every((deadline) => !deadline.signal.aborted), 'nor does the parent reach it')
  })
})
