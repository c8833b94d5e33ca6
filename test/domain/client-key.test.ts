import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { createClientKey } from '../../src/limits/client-key.js'

describe('client keys for per-client limits', () => {
  const byDefault = createClientKey(64)

  it('counts an IPv4 address as itself', () => {
    assert.equal(byDefault('203.0.113.7'), '203.0.113.7')
    assert.notEqual(byDefault('203.0.113.7'), byDefault('203.0.113.8'))
  })

  it('counts an IPv4-mapped IPv6 address as the IPv4 address, in either spelling', () => {
    assert.equal(byDefault('::ffff:203.0.113.7'), '203.0.113.7')
    assert.equal(byDefault('::FFFF:cb00:7107'), '203.0.113.7')
    assert.equal(byDefault('0:0:0:0:0:ffff:203.0.113.7'), '203.0.113.7')
  })

  it('counts every address of one /64 as one client, and other /64s apart', () => {
    const one = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0DB8:0001:0002:1234:5678:9abc:def0',
      '2001:db8:1:2:0:0:0:7%eth0',
      '2001:db8:1:2::192.0.2.1',
    ].map(byDefault)
    assert.deepEqual(new Set(one), new Set(['2001:db8:1:2:0:0:0:0/64']))
    assert.notEqual(byDefault('2001:db8:1:3::1'), one[0])
    assert.notEqual(byDefault('::1'), one[0])
    assert.equal(byDefault('::1'), '0:0:0:0:0:0:0:0/64')
  })

  it('follows the configured prefix length, to the bit', () => {
    const by48 = createClientKey(48)
    assert.equal(by48('2001:db8:1:2::1'), by48('2001:db8:1:ffff::1'))
    assert.notEqual(by48('2001:db8:1::1'), by48('2001:db8:2::1'))
    const by56 = createClientKey(56)
    assert.equal(by56('2001:db8:1:2ff::1'), '2001:db8:1:200:0:0:0:0/56')
    assert.notEqual(by56('2001:db8:1:100::1'), by56('2001:db8:1:200::1'))
    const by128 = createClientKey(128)
    assert.notEqual(by128('2001:db8:1:2::1'), by128('2001:db8:1:2::2'))
    assert.equal(by128('2001:db8::1'), '2001:db8:0:0:0:0:0:1/128')
  })

  it('passes anything that is not an address through, and refuses a senseless prefix', () => {
    assert.equal(byDefault(''), '')
    assert.equal(byDefault('not-an-address'), 'not-an-address')
    assert.throws(() => createClientKey(0), RangeError)
    assert.throws(() => createClientKey(129), RangeError)
  })
})
