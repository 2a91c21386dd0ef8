// A room: its members, their compact ids and presence. Pure state; relay.ts decides who is told what.
import { MAX_MEMBER_ID, type Presence } from '@roomcast/protocol';
import type { Connection } from './connection.js';

export interface Member {
  readonly id: number;
  readonly room: Room;
  readonly conn: Connection;
  presence: Presence;
}

export class Room {
  /** Members in join order (Map keeps insertion order). */
  readonly members = new Map<number, Member>();
  /** The pub/sub topic every member's peer subscribes to. */
  readonly topic: string;
  private lastId = 0;

  constructor(
    readonly name: string,
    readonly handle: number,
  ) {
    this.topic = `room/${handle}`;
  }

  get size(): number {
    return this.members.size;
  }

  /** Adds a member with a fresh id: incremental, wrapping at 65535, never one in use. */
  add(conn: Connection, presence: Presence): Member {
    let id = this.lastId;
    do {
      id = id >= MAX_MEMBER_ID ? 1 : id + 1;
    } while (this.members.has(id));
    this.lastId = id;
    const member: Member = { id, room: this, conn, presence };
    this.members.set(id, member);
    return member;
  }

  remove(member: Member): void {
    this.members.delete(member.id);
  }
}
