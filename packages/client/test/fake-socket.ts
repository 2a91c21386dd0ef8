// In-memory stand-in for a WebSocket, passed to the client through the `WebSocket` option.
// It records every frame the client sends; tests play the relay by pushing encoded frames.
import {
  PROTOCOL_VERSION, decodeClientFrame, encodeControl,
  type ClientMessage, type DataFrame, type Limits, type ServerMessage,
} from '@roomcast/protocol';
import { expect } from 'vitest';
import type { SocketCloseEvent, SocketMessageEvent, WebSocketConstructor, WebSocketLike } from '../src/node.js';

type Handler<E> = ((event: E) => void) | null;

export class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  onopen: Handler<unknown> = null;
  onmessage: Handler<SocketMessageEvent> = null;
  onclose: Handler<SocketCloseEvent> = null;
  onerror: Handler<unknown> = null;
  /** Frames the client sent, oldest first; `next*` helpers consume them. */
  readonly sent: Uint8Array[] = [];
  /** Set when the client called close(). */
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(readonly url: string) {}

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error(`send() in readyState ${this.readyState}`);
    this.sent.push(data.slice());
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedWith = { code, reason };
    this.readyState = 2;
    // Like a browser: the close event follows asynchronously.
    queueMicrotask(() => this.drop(code ?? 1005, reason ?? ''));
  }

  // ---- the relay's side -------------------------------------------------------

  /** Completes the WebSocket handshake. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Delivers one binary message, as an ArrayBuffer of its own (what binaryType 'arraybuffer' gives). */
  push(frame: Uint8Array): void {
    this.onmessage?.({ data: frame.slice().buffer });
  }

  /** Pushes a control message. */
  reply(message: ServerMessage): void {
    this.push(encodeControl(message));
  }

  /** The connection ends with `code` (e.g. 1006 for a network drop). */
  drop(code: number, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** Consumes the next sent frame, which must be a control message of type `type`. */
  nextControl<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }> {
    const bytes = this.sent.shift();
    if (bytes === undefined) throw new Error(`expected a '${type}' frame, but nothing was sent`);
    const decoded = decodeClientFrame(bytes);
    if (!decoded.ok) throw new Error(`client sent an undecodable frame: ${decoded.error.message}`);
    const { frame } = decoded;
    if (frame.kind !== 'control') throw new Error(`expected a '${type}' frame, got a data frame`);
    expect(frame.message.type).toBe(type);
    return frame.message as Extract<ClientMessage, { type: T }>;
  }

  /** Consumes the next sent frame, which must be a data frame. */
  nextData(): DataFrame {
    const bytes = this.sent.shift();
    if (bytes === undefined) throw new Error('expected a data frame, but nothing was sent');
    const decoded = decodeClientFrame(bytes);
    if (!decoded.ok || decoded.frame.kind !== 'data') throw new Error('expected a data frame');
    return decoded.frame;
  }

  /** Answers the client's `hello` with `welcome`. */
  welcome(session = 'session-1', limits: Partial<Limits> = {}): void {
    const hello = this.nextControl('hello');
    this.reply({ type: 'welcome', id: hello.id, v: PROTOCOL_VERSION, session, limits: { ...LIMITS, ...limits } });
  }
}

export const LIMITS: Limits = {
  maxPayloadBytes: 65_536,
  maxControlBytes: 16_384,
  maxRoomsPerConnection: 16,
  maxMembersPerRoom: 256,
  maxPresenceBytes: 1024,
  maxMessagesPerSec: 100,
  idleTimeoutSec: 60,
  burstMessages: 200,
  maxBytesPerSec: 262_144,
  maxKeysPerMember: 16,
  tickHz: 30,
  minTickHz: 1,
  maxTickHz: 60,
};

/** A WebSocket class whose instances are collected in `sockets`, newest last. */
export function fakeWebSocket(): { WebSocket: WebSocketConstructor; sockets: FakeSocket[]; last(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  class Recorded extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Recorded,
    sockets,
    last() {
      const socket = sockets.at(-1);
      if (socket === undefined) throw new Error('no socket was created');
      return socket;
    },
  };
}
