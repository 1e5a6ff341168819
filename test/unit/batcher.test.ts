import assert from 'node:assert/strict'
import { Batcher } from '../../src/util/batcher.ts'

/** `n` turns of the event loop: the batcher sends a batch one turn after its items are added. */
async function turns (n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** A batcher whose first batch is held until `release()`, recording every batch it sends. */
function gatedBatcher (inFlight?: number): { batcher: Batcher<number, number>, sent: number[][], release: () => void } {
  const sent: number[][] = []
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const batcher = new Batcher<number, number>(async (items) => {
    sent.push(items)
    if (sent.length === 1) await gate
    return items.map((n) => n * 10)
  }, 100, inFlight)
  return { batcher, sent, release }
}

describe('Batcher (requests made at once, sent together)', () => {
  it('sends what is added in one turn together, and what comes while a batch is out in the next', async () => {
    const { batcher, sent, release } = gatedBatcher()
    const first = [1, 2, 3].map(async (n) => await batcher.add(n))
    await turns(3)
    assert.deepEqual(sent, [[1, 2, 3]], 'the first batch went within three turns')
    const second = [4, 5].map(async (n) => await batcher.add(n))
    // as many turns as the first batch needed: the test below shows a second batch with room goes in them
    await turns(3)
    assert.deepEqual(sent, [[1, 2, 3]], 'the second batch waits for the first')
    release()
    assert.deepEqual(await Promise.all([...first, ...second]), [10, 20, 30, 40, 50])
    assert.deepEqual(sent, [[1, 2, 3], [4, 5]])
  })

  it('with room for two batches, what comes while one is out goes within the same turns', async () => {
    const { batcher, sent, release } = gatedBatcher(2)
    const first = batcher.add(1)
    await turns(3)
    assert.deepEqual(sent, [[1]])
    const second = [4, 5].map(async (n) => await batcher.add(n))
    await turns(3)
    assert.deepEqual(sent, [[1], [4, 5]], 'the second batch went beside the first')
    assert.deepEqual(await Promise.all(second), [40, 50])
    release()
    assert.equal(await first, 10)
  })

  it('caps a batch at maxItems', async () => {
    const sizes: number[] = []
    const batcher = new Batcher<number, number>(async (items) => { sizes.push(items.length); return items }, 4)
    await Promise.all(Array.from({ length: 10 }, async (_, i) => await batcher.add(i)))
    assert.deepEqual(sizes, [4, 4, 2])
  })

  it('with `fits`, an item that may not join waits for a later batch, in order', async () => {
    const sent: string[][] = []
    // at most 5 letters a batch, and only words of one length together
    const fits = (batch: string[], word: string): boolean => word.length === batch[0].length && batch.join('').length + word.length <= 5
    const batcher = new Batcher<string, string>(async (items) => { sent.push(items); return items }, 10, 1, fits)
    await Promise.all(['ab', 'cd', 'xyz', 'ef', 'toolong'].map(async (w) => await batcher.add(w)))
    assert.deepEqual(sent, [['ab', 'cd'], ['xyz'], ['ef'], ['toolong']])
  })

  it('an Error answers its item alone; a failed send fails its whole batch; a wrong count fails it too', async () => {
    const odd = new Batcher<number, number>(async (items) => items.map((n) => n % 2 === 1 ? new Error(`odd ${n}`) : n), 10)
    const results = await Promise.allSettled([1, 2, 3].map(async (n) => await odd.add(n)))
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'rejected'])
    assert.match((results[0] as PromiseRejectedResult).reason.message, /odd 1/)
    const broken = new Batcher<number, number>(async () => { throw new Error('node gone') }, 10)
    await assert.rejects(Promise.all([broken.add(1), broken.add(2)]), /node gone/)
    const short = new Batcher<number, number>(async () => [1], 10)
    await assert.rejects(Promise.all([short.add(1), short.add(2)]), /a batch of 2 got 1 answers/)
  })

  it('a caller that gives up is answered at once; the others are not disturbed', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    const batcher = new Batcher<number, number>(async (items) => { await gate; return items }, 10)
    const controller = new AbortController()
    const abandoned = batcher.add(1, controller.signal)
    const kept = batcher.add(2)
    controller.abort(new Error('gave up'))
    await assert.rejects(abandoned, /gave up/)
    release()
    assert.equal(await kept, 2)
  })
})
