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
