// Per-address state that outlives a connection (PROTOCOL.md §8.19): open connections, the
// connect-rate bucket, the frame and byte budgets a closed connection left behind, and the flood
// cool-down after a 4429. One client cannot then hold every descriptor, nor reset its budgets by
// reconnecting. The table is bounded: entries without open connections expire once everything
// they remember has refilled, and a full table refuses new addresses instead of growing.
import { TokenBucket } from './rate.js';

/** The settings of admission, by their Config field names (0 disables a per-address check). */
export interface AdmissionLimits {
  /** Connections the relay holds at once (resolved from the descriptor limit when `auto`). */
  maxConnections: number;
  maxConnectionsPerIp: number;
  connectRatePerIp: number;
  connectBurstPerIp: number;
  floodCooldownSec: number;
  maxTrackedAddresses: number;
  /** Addresses the per-address checks skip (RELAY_IP_LIMIT_EXEMPT); any spelling, see canonicalAddress. */
  ipLimitExempt: readonly string[];
  maxMessagesPerSec: number;
  burstMessages: number;
  maxBytesPerSec: number;
}

export const REFUSAL_REASONS = ['connections_per_ip', 'connect_rate', 'flood_cooldown', 'connections', 'tracked_addresses'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Why a connection was refused, and whose limit it was: the address's (429 / 4429) or the relay's (503 / 1013). */
export interface Refusal {
  reason: RefusalReason;
  scope: 'address' | 'relay';
  /** Seconds after which trying again can succeed (the `Retry-After` header). */
  retryAfterSec: number;
  message: string;
}

/** The budgets a new connection starts with. */
export interface CarriedBudgets {
  frames: number;
  bytes: number;
}

interface Entry {
  open: number;
  connects: TokenBucket | undefined;
  /** Budgets left by the last connection that closed, and when. */
  frames: TokenBucket | undefined;
  bytes: TokenBucket | undefined;
  cooldownUntil: number;
  /** With no open connection: when the entry remembers nothing a fresh one would not. */
  expiresAt: number;
}

/**
 * The key budgets and limits are kept under. Today the address (IPv4, or the /64 of IPv6, where
 * one host usually owns the whole prefix). Seam for tokens: once `hello` carries a verified user
 * id, budgets can be keyed `user:<id>` (a second table with the same entries), so one user
 * cannot multiply its budget over many addresses either.
 */
export function addressKey(remoteAddress: string): string {
  if (!remoteAddress.includes(':')) return remoteAddress;
  const groups = expandIpv6(remoteAddress.toLowerCase());
  if (groups === undefined) return remoteAddress;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/**
 * One spelling per address, for the exemption list: IPv4 as is, IPv4-mapped IPv6 as its IPv4
 * address, other IPv6 as eight lowercase groups (`::1` and uWS's `0000:…:0001` agree).
 */
export function canonicalAddress(text: string): string {
  if (!text.includes(':')) return text;
  const groups = expandIpv6(text.toLowerCase());
  if (groups === undefined) return text;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return groups.map((g) => g.toString(16)).join(':');
}

function expandIpv6(text: string): number[] | undefined {
  let tail: number[] = [];
  let head = text;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const b = v4.slice(1).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    head = text.slice(0, v4.index);
    // Drop the colon before the IPv4 part, unless it is half of a `::`.
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : -1)));
  const [left, right, extra] = head.split('::');
  if (extra !== undefined) return undefined;
  const l = parse(left ?? '');
  const r = right === undefined ? [] : parse(right);
  const missing = 8 - tail.length - l.length - r.length;
  if (missing < 0 || (right === undefined && missing !== 0)) return undefined;
  const groups = [...l, ...new Array<number>(missing).fill(0), ...r, ...tail];
  return groups.every((g) => g >= 0) ? groups : undefined;
}

export class Addresses {
  readonly #entries = new Map<string, Entry>();
  readonly #exempt: ReadonlySet<string>;
  #lastPrune = -Infinity;

  constructor(private readonly limits: AdmissionLimits) {
    this.#exempt = new Set(limits.ipLimitExempt.map(canonicalAddress));
  }

  /**
   * Whether `remoteAddress` skips the per-address checks (RELAY_IP_LIMIT_EXEMPT): a local reverse
   * proxy or load generator, whose many clients share one address. Its connections are not
   * tracked here: each starts with full budgets of its own (still held to them, 4429 included),
   * and no cool-down follows a 4429. The relay-wide cap applies to them as to anyone.
   */
  isExempt(remoteAddress: string): boolean {
    return this.#exempt.size > 0 && this.#exempt.has(canonicalAddress(remoteAddress));
  }

  /** `admit` for an exempt address: the relay-wide cap only. */
  admitExempt(open: number): Refusal | undefined {
    if (open >= this.limits.maxConnections) {
      return refuse('connections', 'relay', 1, `the relay holds its maximum of ${this.limits.maxConnections} connections`);
    }
    return undefined;
  }

  /** Addresses remembered (with open connections, or budgets or a cool-down still running). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Whether a new connection from `key` may open, with `open` connections on the relay. Takes a
   * connect token when it may; a refused attempt costs nothing but the refusal.
   */
  admit(key: string, now: number, open: number): Refusal | undefined {
    const { limits } = this;
    let entry = this.#entries.get(key);
    if (entry !== undefined && now < entry.cooldownUntil) {
      return refuse('flood_cooldown', 'address', (entry.cooldownUntil - now) / 1000, 'this address was closed for flooding; wait for the cool-down');
    }
    const full = this.admitExempt(open);
    if (full !== undefined) return full;
    if (limits.maxConnectionsPerIp > 0 && entry !== undefined && entry.open >= limits.maxConnectionsPerIp) {
      return refuse('connections_per_ip', 'address', 1, `this address holds its maximum of ${limits.maxConnectionsPerIp} connections`);
    }
    if (entry === undefined) {
      if (this.#entries.size >= limits.maxTrackedAddresses) this.prune(now, true);
      if (this.#entries.size >= limits.maxTrackedAddresses) {
        return refuse('tracked_addresses', 'relay', 1, 'the relay tracks its maximum number of client addresses');
      }
      entry = { open: 0, connects: undefined, frames: undefined, bytes: undefined, cooldownUntil: 0, expiresAt: 0 };
      this.#entries.set(key, entry);
    }
    if (limits.connectRatePerIp > 0) {
      entry.connects ??= new TokenBucket(limits.connectRatePerIp, limits.connectBurstPerIp, now);
      if (!entry.connects.take(now)) {
        if (entry.open === 0) entry.expiresAt = Math.max(entry.expiresAt, now + entry.connects.msUntilFull(now));
        return refuse('connect_rate', 'address', 1 / limits.connectRatePerIp, `this address opens connections faster than ${limits.connectRatePerIp} per second`);
      }
    }
    return undefined;
  }

  /** A connection from `key` opened: counts it, and returns the budgets it starts with. */
  opened(key: string, now: number): CarriedBudgets {
    const { limits } = this;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      // Opened without admit (an in-process peer): tracked all the same.
      entry = { open: 0, connects: undefined, frames: undefined, bytes: undefined, cooldownUntil: 0, expiresAt: 0 };
      this.#entries.set(key, entry);
    }
    entry.open++;
    return {
      frames: entry.frames?.level(now) ?? limits.burstMessages,
      bytes: entry.bytes?.level(now) ?? limits.maxBytesPerSec * 2,
    };
  }

  /**
   * A connection from `key` closed: what is left of its budgets stays with the address (the lowest
   * of what its connections left), and a 4429 close starts the cool-down.
   */
  closed(key: string, now: number, budgets: { frames: TokenBucket; bytes: TokenBucket }, rateLimited: boolean): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.open = Math.max(0, entry.open - 1);
    if (entry.frames === undefined || budgets.frames.level(now) < entry.frames.level(now)) entry.frames = budgets.frames;
    if (entry.bytes === undefined || budgets.bytes.level(now) < entry.bytes.level(now)) entry.bytes = budgets.bytes;
    if (rateLimited && this.limits.floodCooldownSec > 0) entry.cooldownUntil = now + this.limits.floodCooldownSec * 1000;
    entry.expiresAt = Math.max(
      entry.cooldownUntil,
      now + entry.frames.msUntilFull(now),
      now + entry.bytes.msUntilFull(now),
      now + (entry.connects?.msUntilFull(now) ?? 0),
    );
  }

  /** Open connections of `key` (for tests and logs). */
  openCount(key: string): number {
    return this.#entries.get(key)?.open ?? 0;
  }

  /**
   * Forgets addresses that have no open connection and nothing left to remember. O(entries), run
   * at most once a second from the relay's sweep (or at once when the table is full).
   */
  prune(now: number, force = false): void {
    if (!force && now - this.#lastPrune < 1000) return;
    this.#lastPrune = now;
    for (const [key, entry] of this.#entries) {
      if (entry.open === 0 && now >= entry.expiresAt) this.#entries.delete(key);
    }
  }
}

function refuse(reason: RefusalReason, scope: Refusal['scope'], retryAfterSec: number, message: string): Refusal {
  return { reason, scope, retryAfterSec: Math.max(1, Math.ceil(retryAfterSec)), message };
}
