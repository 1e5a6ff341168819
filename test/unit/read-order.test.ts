import assert from 'node:assert/strict'
import { readOrder } from '../../src/client/read-order.ts'

describe('the order a chunk\'s copies are read in', () => {
  const alive = new Set(['a', 'b', 'c'])
  const none = new Map<string, number>()

  it('live copies first, nodes thought dead last; among equals a rotation by chunk', () => {
    assert.deepEqual(readOrder(['x', 'a', 'b'], alive, 0, none), ['a', 'b', 'x'])
    assert.deepEqual(readOrder(['x', 'a', 'b'], alive, 1, none), ['b', 'a', 'x'])
    assert.deepEqual(readOrder(['a', 'b', 'c'], alive, 5, none), ['c', 'a', 'b'])
    assert.deepEqual(readOrder(['x', 'y'], alive, 3, none), ['x', 'y'], 'no live copy: all of them, as listed')
  })

  it('the copy on the node with the fewest reads in flight first', () => {
    assert.deepEqual(readOrder(['a', 'b', 'c'], alive, 0, new Map([['a', 2], ['b', 1]])), ['c', 'b', 'a'])
    assert.deepEqual(readOrder(['a', 'b'], alive, 0, new Map([['a', 1]])), ['b', 'a'])
    // a busy live node still comes before a dead one
    assert.deepEqual(readOrder(['x', 'a'], alive, 0, new Map([['a', 5]])), ['a', 'x'])
  })

  it('three chunks in flight of a file whose chunks have two copies each land on three nodes', () => {
    // the directory rotates placements, so uploading the same bytes twice gives chunks on pairs of nodes
    const copies = [['b', 'c'], ['a', 'c'], ['a', 'b']]
    const inFlight = new Map<string, number>()
    const window: string[] = []
    let busiest = 0
    for (let index = 0; index < 60; index++) {
      if (window.length === 3) {
        const done = window.shift()!
        inFlight.set(done, inFlight.get(done)! - 1)
      }
      const node = readOrder(copies[index % 3], alive, index, inFlight)[0]
      inFlight.set(node, (inFlight.get(node) ?? 0) + 1)
      window.push(node)
      busiest = Math.max(busiest, ...inFlight.values())
    }
    // by rotation alone, two of the three were often on one node while another had none
    assert.equal(busiest, 1)
  })
})
