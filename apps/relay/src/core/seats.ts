// Seats (PROTOCOL.md §8.21): a member whose connection drops without leaving keeps its member id,
// presence and latest values for a grace window; the others see it away at once and get
// member_left only when the window ends. A reconnecting client names its seat's resume token in
// `join` and gets the same member id back. Grace 0 (the default) holds nothing.
import { encodeControl } from '@roomcast/protocol';
import type { Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import type { Connection, Member } from './connection.js';
import type { Delivery } from './delivery.js';
import type { LeftReason } from './events.js';
import type { Outbox } from './outbox.js';
import type { Stats } from './stats.js';

export interface SeatsDeps {
  graceMs: number;
  clock: Clock;
  out: Outbox;
  delivery: Delivery;
  stats: Stats;
  /** Membership.remove for a seat that expires or is dropped. */
  remove: (member: Member, reason: LeftReason) => void;
  /** Other relay nodes: they see the member away, and a client may take the seat back through any node. */
  cluster?: Cluster | undefined;
}

export class Seats {
  /** Members whose seats are held, for dropping them by user or at shutdown. */
  readonly #held = new Set<Member>();

  constructor(private readonly deps: SeatsDeps) {}

  get enabled(): boolean {
    return this.deps.graceMs > 0;
  }

  get size(): number {
    return this.#held.size;
  }

  /** A resume token for a new member, or undefined when seats are off. */
  token(): string | undefined {
    // 144 random bits from the platform's CSPRNG (a global in Node 20: no import needed).
    return this.enabled ? Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(18))).toString('base64url') : undefined;
  }

  /** The connection of `member` dropped: hold its seat, tell the others, start the window. */
  hold(member: Member): void {
    const room = member.room;
    member.away = true;
    this.#held.add(member);
    member.seatTimer = this.deps.clock.setTimeout(() => this.drop(member, 'disconnected'), this.deps.graceMs);
    const others = room.size - 1;
    // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent: with no other member the publish reaches nobody (the dropped socket left its topics) and counts 0 recipients
    if (others > 0) this.deps.out.publish(room.topic, encodeControl({ type: 'member_away', room: room.handle, member: member.id }), 'control', others);
    if (member.seat !== undefined) this.deps.cluster?.away(room.name, member.id, member.presence, member.identity, member.seat);
  }

  /** The held seat of room member `token` for a connection of `userId`, if there is one. */
  find(members: Iterable<Member>, token: string, userId: string | undefined): Member | undefined {
    for (const member of members) {
      if (member.away && member.seat === token && member.identity.userId === userId) return member;
    }
    return undefined;
  }

  /** `conn` takes `member`'s seat back: the caller replies `joined`; the others get `member_back`. */
  resume(member: Member, conn: Connection): void {
    this.#release(member);
    const room = member.room;
    // The old connection's lag state left with it; the new one is counted by delivery.joined.
    if (member.conn.lagging) room.laggingCount--;
    member.conn = conn;
    member.away = false;
    this.deps.delivery.joined(member);
    const others = room.size - 1;
    if (others > 0) this.deps.out.publish(room.topic, encodeControl({ type: 'member_back', room: room.handle, member: member.id }), 'control', others, conn);
  }

  /** Ends a held seat now (window over, kicked, user disconnected): an ordinary member_left. */
  drop(member: Member, reason: LeftReason): void {
    if (!this.#held.has(member)) return;
    this.#release(member);
    this.deps.remove(member, reason);
  }

  /** Every held seat of `userId` (disconnect a user everywhere); returns how many. */
  dropUser(userId: string): number {
    const seats = [...this.#held].filter((m) => m.identity.userId === userId);
    for (const member of seats) this.drop(member, 'kicked');
    return seats.length;
  }

  /** Shutdown: no timer may outlive the relay. */
  dropAll(): void {
    for (const member of [...this.#held]) this.drop(member, 'disconnected');
  }

  /** A held seat leaves the set without removing the member (room closing removes it itself). */
  forget(member: Member): void {
    if (this.#held.has(member)) this.#release(member);
  }

  #release(member: Member): void {
    this.#held.delete(member);
    // Stryker disable next-line ConditionalExpression: equivalent: clearTimeout of undefined is a no-op (Node and the test clock)
    if (member.seatTimer !== undefined) this.deps.clock.clearTimeout(member.seatTimer);
    member.seatTimer = undefined;
  }
}
