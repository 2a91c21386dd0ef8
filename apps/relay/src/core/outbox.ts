// Everything the core sends: to one connection, or to a topic through the fan-out service. The one
// place where frames and bytes out are counted (per recipient), and where a direct send enforces
// the send-buffer hard cap.
import { encodeControl, type ErrorCode, type ServerMessage } from '@roomcast/protocol';
import type { Connection, Room } from './connection.js';
import type { Connections } from './connections.js';
import type { Fanout } from './fanout.js';
import type { FrameCountKind, Stats } from './stats.js';

export interface ErrorExtra {
  /** The request id the error answers. */
  id?: number | undefined;
  /** The room handle the error is about. */
  room?: number | undefined;
}

export class Outbox {
  constructor(
    private readonly deps: { stats: Stats; fanout: Fanout; connections: Connections; maxBufferedBytes: number },
  ) {}

  /** Sends one frame to one connection and enforces the send-buffer hard cap at once. */
  send(conn: Connection, frame: Uint8Array, kind: FrameCountKind, room?: Room): void {
    this.count(kind, frame.length, 1, room);
    conn.peer.send(frame);
    if (conn.peer.bufferedAmount() > this.deps.maxBufferedBytes) {
      this.deps.connections.close(conn, 'slow_consumer', 'send buffer above the hard cap', 'buffered_bytes');
    }
  }

  reply(conn: Connection, message: ServerMessage): void {
    this.send(conn, encodeControl(message), 'control');
  }

  /** A typed error frame (counted by code). */
  error(conn: Connection, code: ErrorCode, message: string, extra: ErrorExtra = {}): void {
    this.deps.stats.errors[code]++;
    this.reply(conn, { type: 'error', id: extra.id, code, message, room: extra.room });
  }

  /**
   * Publishes one frame on a topic (encoded once; the fan-out copies it), counted for
   * `recipients`. `except` is the sending connection, which does not get its own frame.
   */
  publish(topic: string, frame: Uint8Array, kind: FrameCountKind, recipients: number, except?: Connection, room?: Room): void {
    this.count(kind, frame.length, recipients, room);
    this.deps.fanout.publish(topic, frame, except);
  }

  /** Like `publish`, to this node's subscribers only (what other relay nodes hand us; never back to the bus). */
  publishLocal(topic: string, frame: Uint8Array, kind: FrameCountKind, recipients: number, room?: Room): void {
    this.count(kind, frame.length, recipients, kind === 'control' ? undefined : room);
    this.deps.fanout.publishLocal(topic, frame);
  }

  /** Counts frames out; data frames also count toward their room's output (the per-room metric). */
  count(kind: FrameCountKind, frameBytes: number, recipients: number, room?: Room): void {
    const stats = this.deps.stats;
    stats.framesOut[kind] += recipients;
    const bytes = frameBytes * recipients;
    stats.bytesOut += bytes;
    if (room !== undefined) room.bytesOut += bytes;
  }
}
