import assert from 'node:assert/strict'
import type { Libp2p } from 'libp2p'
import { StoreClients } from '../../src/protocol/store-client.ts'

describe('StoreClients: where each node listens', () => {
  // learn() and addrsOf() never touch the network: no peer is needed
  const stores = new StoreClients(undefined as unknown as Libp2p)
  const peer = '12D3KooWSgykQBy4uCpD4RQBK4JsWyLshcXss7yetnQgu71rwwZh'

  it('keeps the addresses last learned, whether they changed or were repeated', () => {
    stores.learn(peer, ['/ip4/127.0.0.1/tcp/4001'])
    assert.deepEqual(stores.addrsOf(peer), ['/ip4/127.0.0.1/tcp/4001'])
    stores.learn(peer, ['/ip4/127.0.0.1/tcp/4001'])
    assert.deepEqual(stores.addrsOf(peer), ['/ip4/127.0.0.1/tcp/4001'])
    // a node restarted on another port: the new one, not the cached old one
    stores.learn(peer, ['/ip4/127.0.0.1/tcp/4002'])
    assert.deepEqual(stores.addrsOf(peer), ['/ip4/127.0.0.1/tcp/4002'])
    stores.learn(peer, ['/ip4/127.0.0.1/tcp/4002', '/ip4/127.0.0.1/tcp/4003'])
    assert.deepEqual(stores.addrsOf(peer), ['/ip4/127.0.0.1/tcp/4002', '/ip4/127.0.0.1/tcp/4003'])
  })

  it('skips addresses that are not multiaddrs and keeps the others', () => {
    stores.learn(peer, ['not an address', '/ip4/127.0.0.1/tcp/4004'])
    assert.deepEqual(stores.addrsOf(peer), ['/ip4/127.0.0.1/tcp/4004'])
    assert.deepEqual(stores.addrsOf('12D3KooWunknown'), [])
  })
})
