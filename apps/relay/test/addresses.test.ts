// The per-address table on its own (core/addresses.ts), with explicit times: address keys,
// bounded size, expiry of entries that remember nothing, carried budgets and the cool-down.
import { describe, expect, it } from 'vitest';
import { Addresses, addressKey, canonicalAddress, type AdmissionLimits } from '../src/core/addresses.js';
import { TokenBucket } from '../src/core/rate.js';
import { openFileLimit, resolveMaxConnections } from '../src/fd-limit.js';

const limits: AdmissionLimits = {
  maxConnections: 1000, maxConnectionsPerIp: 2, connectRatePerIp: 1, connectBurstPerIp: 2, floodCooldownSec: 10,
  maxTrackedAddresses: 3, ipLimitExempt: ['127.0.0.1', '::1'], maxMessagesPerSec: 10, burstMessages: 20, maxBytesPerSec: 1000,
};
const drained = (now: number) => ({ frames: new TokenBucket(10, 20, now, 0), bytes: new TokenBucket(1000, 2000, now, 0) });

describe('addressKey', () => {
  it.each([
    ['127.0.0.2', '127.0.0.2'],
    ['::ffff:127.0.0.3', '127.0.0.3'],
    ['0000:0000:0000:0000:0000:ffff:7f00:0001', '127.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::7', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s → %s', (text, key) => {
    expect(addressKey(text)).toBe(key);
  });
});

describe('canonicalAddress and the exemption list', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['0000:0000:0000:0000:0000:ffff:7f00:0001', '127.0.0.1'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '0:0:0:0:0:0:0:1'],
    ['2001:DB8::7', '2001:db8:0:0:0:0:0:7'],
  ])('%s → %s', (text, canonical) => {
    expect(canonicalAddress(text)).toBe(canonical);
  });

  it('exempts only the listed addresses, however they are spelled', () => {
    const table = new Addresses(limits);
    for (const a of ['127.0.0.1', '::ffff:127.0.0.1', '::1', '0000:0000:0000:0000:0000:0000:0000:0001']) expect(table.isExempt(a), a).toBe(true);
    for (const a of ['127.0.0.2', '::2', '10.0.0.1', '2001:db8::1']) expect(table.isExempt(a), a).toBe(false);
    expect(new Addresses({ ...limits, ipLimitExempt: [] }).isExempt('127.0.0.1')).toBe(false);
  });

  it('an exempt address meets only the relay-wide cap', () => {
    const table = new Addresses(limits);
    expect(table.admitExempt(999)).toBeUndefined();
    expect(table.admitExempt(1000)).toMatchObject({ reason: 'connections', scope: 'relay' });
  });
});

describe('Addresses', () => {
  it('refuses a new address when the table is full of live entries, and admits it once one expires', () => {
    const table = new Addresses(limits);
    for (const a of ['a', 'b', 'c']) {
      expect(table.admit(a, 0, 0)).toBeUndefined();
      table.opened(a, 0);
    }
    expect(table.admit('d', 0, 3)).toMatchObject({ reason: 'tracked_addresses', scope: 'relay' });
    table.closed('a', 0, drained(0), false);
    // 'a' still remembers a drained budget: 2 s until its frames refill, so it cannot go yet.
    expect(table.admit('d', 1000, 2)).toMatchObject({ reason: 'tracked_addresses' });
    expect(table.admit('d', 2500, 2)).toBeUndefined();
    expect(table.size).toBe(3);
  });

  it('forgets an address once everything it remembers has refilled', () => {
    const table = new Addresses({ ...limits, maxTrackedAddresses: 100 });
    table.admit('a', 0, 0);
    table.opened('a', 0);
    table.closed('a', 0, drained(0), false);
    table.prune(1000);
    expect(table.size).toBe(1);
    table.prune(2100);
    expect(table.size).toBe(0);
  });

  it('hands the next connection what the last one left, refilled since', () => {
    const table = new Addresses(limits);
    table.admit('a', 0, 0);
    table.opened('a', 0);
    table.closed('a', 0, drained(0), false);
    expect(table.opened('a', 500)).toEqual({ frames: 5, bytes: 500 });
    expect(table.opened('b', 500)).toEqual({ frames: 20, bytes: 2000 });
  });

  it('keeps a cool-down after a 4429 close, then admits again', () => {
    const table = new Addresses(limits);
    table.admit('a', 0, 0);
    table.opened('a', 0);
    table.closed('a', 0, drained(0), true);
    expect(table.admit('a', 9000, 0)).toMatchObject({ reason: 'flood_cooldown', scope: 'address', retryAfterSec: 1 });
    expect(table.admit('a', 10_000, 0)).toBeUndefined();
  });

  it('caps open connections and the connect rate per address', () => {
    const table = new Addresses(limits);
    for (let i = 0; i < 2; i++) {
      expect(table.admit('a', 0, i)).toBeUndefined();
      table.opened('a', 0);
    }
    expect(table.admit('a', 0, 2)).toMatchObject({ reason: 'connections_per_ip' });
    table.closed('a', 0, drained(0), false);
    expect(table.admit('a', 0, 1)).toMatchObject({ reason: 'connect_rate' });
    expect(table.admit('a', 1000, 1)).toBeUndefined();
  });
});

describe('Addresses at their edges', () => {
  it.each([
    // Not an address the parser accepts: the key and the canonical spelling are the text itself.
    ['::ffff:1.2.3.256'], ['1:2:3:4:5:6:7:8:9'], ['1:2:3:4:5::6:7:8:9'], ['::1.2.3.4:1'], ['1:2:3:4:5:6:7'], ['1::2::3'], ['1:2:3:4:5:6:7:1.2.3.4'], ['g::1'], ['12345::1'], [':'],
  ])('%s is kept as it is', (text) => {
    expect(addressKey(text)).toBe(text);
    expect(canonicalAddress(text)).toBe(text);
  });

  it.each([
    ['::ffff:1.2.3.255', '1.2.3.255', '1.2.3.255'],
    ['::ffff:10.200.30.4', '10.200.30.4', '10.200.30.4'],
    ['::1.2.3.4', '0:0:0:0::/64', '0:0:0:0:0:0:102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4::/64', '1:2:3:4:5:6:102:304'],
    ['::', '0:0:0:0::/64', '0:0:0:0:0:0:0:0'],
    ['1::', '1:0:0:0::/64', '1:0:0:0:0:0:0:0'],
    ['0:0:0:0:1:ffff:102:304', '0:0:0:0::/64', '0:0:0:0:1:ffff:102:304'],
    ['0:0:0:0:0:fffe:102:304', '0:0:0:0::/64', '0:0:0:0:0:fffe:102:304'],
    ['ABCD:EF01::', 'abcd:ef01:0:0::/64', 'abcd:ef01:0:0:0:0:0:0'],
  ])('%s → key %s, canonical %s', (text, key, canonical) => {
    expect(addressKey(text)).toBe(key);
    expect(canonicalAddress(text)).toBe(canonical);
  });

  it('the cool-down: refused until exactly its end, Retry-After rounded up to whole seconds', () => {
    const table = new Addresses({ ...limits, floodCooldownSec: 3 });
    table.admit('a', 0, 0);
    table.opened('a', 0);
    table.closed('a', 0, drained(0), true);
    expect(table.admit('a', 0, 0)).toEqual({ reason: 'flood_cooldown', scope: 'address', retryAfterSec: 3, message: 'this address was closed for flooding; wait for the cool-down' });
    expect(table.admit('a', 1500, 0)).toMatchObject({ retryAfterSec: 2 });
    expect(table.admit('a', 2999, 0)).toMatchObject({ retryAfterSec: 1 });
    expect(table.admit('a', 3000, 0)).toBeUndefined();
    // No cool-down without a 4429, nor with RELAY_FLOOD_COOLDOWN_SEC=0.
    const none = new Addresses({ ...limits, floodCooldownSec: 0 });
    none.opened('b', 0);
    none.closed('b', 0, drained(0), true);
    expect(none.admit('b', 0, 0)).toBeUndefined();
  });

  it('refusals carry their exact scope, Retry-After and message', () => {
    const table = new Addresses(limits);
    expect(table.admitExempt(1000)).toEqual({ reason: 'connections', scope: 'relay', retryAfterSec: 1, message: 'the relay holds its maximum of 1000 connections' });
    expect(table.admit('x', 0, 1000)).toEqual({ reason: 'connections', scope: 'relay', retryAfterSec: 1, message: 'the relay holds its maximum of 1000 connections' });
    table.opened('a', 0);
    table.opened('a', 0);
    expect(table.admit('a', 0, 2)).toEqual({ reason: 'connections_per_ip', scope: 'address', retryAfterSec: 1, message: 'this address holds its maximum of 2 connections' });
    const slow = new Addresses({ ...limits, connectRatePerIp: 0.25, connectBurstPerIp: 1 });
    expect(slow.admit('s', 0, 0)).toBeUndefined();
    expect(slow.admit('s', 0, 0)).toEqual({ reason: 'connect_rate', scope: 'address', retryAfterSec: 4, message: 'this address opens connections faster than 0.25 per second' });
    const full = new Addresses({ ...limits, maxTrackedAddresses: 1 });
    full.opened('a', 0);
    expect(full.admit('b', 0, 1)).toEqual({ reason: 'tracked_addresses', scope: 'relay', retryAfterSec: 1, message: 'the relay tracks its maximum number of client addresses' });
  });

  it('0 disables the per-address connection cap and the connect rate', () => {
    const table = new Addresses({ ...limits, maxConnectionsPerIp: 0, connectRatePerIp: 0 });
    for (let i = 0; i < 10; i++) {
      expect(table.admit('a', 0, i)).toBeUndefined();
      table.opened('a', 0);
    }
    expect(table.openCount('a')).toBe(10);
  });

  it('a refused connect keeps a closed address remembered until its connect budget refills', () => {
    const table = new Addresses({ ...limits, connectRatePerIp: 1, connectBurstPerIp: 1, maxTrackedAddresses: 100 });
    expect(table.admit('a', 0, 0)).toBeUndefined();
    table.opened('a', 0);
    // Closed with full frame and byte budgets: only the connect budget (1 s to refill) is remembered.
    table.closed('a', 0, { frames: new TokenBucket(10, 20, 0), bytes: new TokenBucket(1000, 2000, 0) }, false);
    expect(table.admit('a', 500, 0)).toMatchObject({ reason: 'connect_rate' });
    table.prune(999);
    expect(table.size).toBe(1);
    table.prune(1999, true);
    expect(table.size).toBe(0);
  });

  it('a connect refused while no connection is open keeps the entry until the connect budget refills', () => {
    const table = new Addresses({ ...limits, connectRatePerIp: 1, connectBurstPerIp: 1, maxTrackedAddresses: 100 });
    expect(table.admit('a', 0, 0)).toBeUndefined();
    table.opened('a', 0);
    table.closed('a', 0, { frames: new TokenBucket(10, 20, 0), bytes: new TokenBucket(1000, 2000, 0) }, false); // remembered until 1000
    expect(table.admit('a', 1000, 0)).toBeUndefined(); // admitted, never opened: the connect token is spent
    expect(table.admit('a', 1500, 0)).toMatchObject({ reason: 'connect_rate' }); // refilled at 2000
    table.prune(1999, true);
    expect(table.size).toBe(1);
    table.prune(2000, true);
    expect(table.size).toBe(0);
  });

  it('an entry with an open connection is never pruned; a closed one counts down to 0, not below', () => {
    const table = new Addresses({ ...limits, maxTrackedAddresses: 100 });
    table.opened('a', 0);
    table.prune(1_000_000);
    expect(table.size).toBe(1);
    table.closed('a', 0, drained(0), false);
    table.closed('a', 0, drained(0), false);
    expect(table.openCount('a')).toBe(0);
    table.closed('unknown', 0, drained(0), true);
    expect(table.openCount('unknown')).toBe(0);
    expect(table.size).toBe(1);
  });

  it('prunes at most once a second unless forced, and exactly at the entry\'s expiry', () => {
    const table = new Addresses({ ...limits, maxTrackedAddresses: 100 });
    table.opened('a', 0);
    table.closed('a', 0, drained(0), false); // frames refill in 2 s, bytes in 2 s
    table.prune(1999);
    expect(table.size).toBe(1);
    table.prune(2000); // less than a second after the last prune: skipped
    expect(table.size).toBe(1);
    table.prune(2000, true);
    expect(table.size).toBe(0);
    table.opened('b', 2000);
    table.closed('b', 2000, drained(2000), false);
    table.prune(3000, true);
    table.prune(4000); // exactly a second after the forced prune, at b's expiry
    expect(table.size).toBe(0);
  });

  it('keeps the lowest budget any of its connections left', () => {
    const table = new Addresses(limits);
    table.opened('a', 0);
    table.opened('a', 0);
    table.closed('a', 0, { frames: new TokenBucket(10, 20, 0, 4), bytes: new TokenBucket(1000, 2000, 0, 100) }, false);
    table.closed('a', 0, { frames: new TokenBucket(10, 20, 0, 8), bytes: new TokenBucket(1000, 2000, 0, 50) }, false);
    expect(table.opened('a', 0)).toEqual({ frames: 4, bytes: 50 });
  });
});

describe('RELAY_MAX_CONNECTIONS=auto', () => {
  it('keeps 10% of the open-file limit (at least 100) for HTTP, logs and listeners', () => {
    expect(resolveMaxConnections('auto', 20_000)).toBe(18_000);
    expect(resolveMaxConnections('auto', 1024)).toBe(921);
    expect(resolveMaxConnections('auto', undefined)).toBe(10_000);
    expect(resolveMaxConnections(500, 20_000)).toBe(500);
  });

  it('reads this process limit from /proc', () => {
    expect(openFileLimit()).toBeGreaterThan(0);
  });
});
