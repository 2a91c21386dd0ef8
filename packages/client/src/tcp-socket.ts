// Raw TCP for the Node client (`tcp://host:port`, PROTOCOL.md appendix A), dressed as the
// WebSocketLike seam the client already speaks: length-prefixed frames become messages, the
// relay's `close` frame becomes the close event's code, and relay heartbeats are answered here,
// as a WebSocket library answers pings. Node only: the browser entry never imports this file.
import { connect, type Socket } from 'node:net';
import { FrameStreamReader, decodeServerFrame, encodeControl, lengthPrefixed } from '@roomcast/protocol/client';
import type { SocketCloseEvent, SocketMessageEvent, WebSocketLike } from './socket.js';

/** The URL scheme that selects raw TCP. */
export const TCP_SCHEME = 'tcp:';

/**
 * Largest frame accepted from the relay: its own cap is at most 16 MiB of payload plus a header
 * (RELAY_MAX_PAYLOAD_BYTES), so a larger length prefix means a broken or hostile peer.
 */
export const MAX_INCOMING_FRAME_BYTES = 16 * 1024 * 1024 + 64;

/**
 * Request id of the `ping` that answers a heartbeat. The client's own requests use 1..2^32-1,
 * so the reply to this one is recognised and kept away from them.
 */
const HEARTBEAT_PING_ID = 0;
const HEARTBEAT_ANSWER = lengthPrefixed(encodeControl({ type: 'ping', id: HEARTBEAT_PING_ID }));
/** Control frames longer than this are never heartbeat, pong or close frames: not inspected. */
const SMALL_CONTROL_BYTES = 512;
/** Close code reported when the connection ended without the relay's close frame (as WebSocket's 1006). */
const ABNORMAL_CLOSURE = 1006;

type Handler<E> = ((event: E) => void) | null;

/** Whether `url` asks for raw TCP. */
export function isTcpUrl(url: string): boolean {
  return url.startsWith('tcp://');
}

/** A WebSocketLike over a node:net socket. Constructed with `tcp://host:port`. */
export class TcpSocket implements WebSocketLike {
  /** Ignored: messages are always delivered as ArrayBuffers. */
  binaryType = 'arraybuffer';
  readyState = 0;
  onopen: Handler<unknown> = null;
  onmessage: Handler<SocketMessageEvent> = null;
  onclose: Handler<SocketCloseEvent> = null;
  onerror: Handler<unknown> = null;
  readonly #socket: Socket;
  readonly #reader = new FrameStreamReader(MAX_INCOMING_FRAME_BYTES);
  #close: SocketCloseEvent | undefined;

  /** @throws TypeError when `url` is not `tcp://host:port` */
  constructor(url: string) {
    const parsed = new URL(url);
    if (parsed.protocol !== TCP_SCHEME || parsed.hostname === '' || parsed.port === '') {
      throw new TypeError(`expected tcp://host:port, got ${url}`);
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#socket = connect({ host, port: Number(parsed.port), noDelay: true });
    this.#socket.on('connect', () => {
      this.readyState = 1;
      this.onopen?.({});
    });
    this.#socket.on('data', (chunk: Buffer) => this.#data(chunk));
    this.#socket.on('error', (err) => this.onerror?.({ message: err.message }));
    this.#socket.on('close', () => {
      this.readyState = 3;
      this.onclose?.(this.#close ?? { code: ABNORMAL_CLOSURE, reason: '' });
    });
  }

  /** Bytes written and not yet flushed to the kernel (as WebSocket's `bufferedAmount`). */
  get bufferedAmount(): number {
    return this.#socket.writableLength;
  }

  send(data: Uint8Array<ArrayBuffer>): void {
    if (this.readyState !== 1) throw new Error('the TCP socket is not open');
    this.#socket.write(lengthPrefixed(data));
  }

  /** Ends the connection; the close event reports `code` (TCP itself carries no close code from the client). */
  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.#close ??= { code, reason };
    this.#socket.end();
  }

  #data(chunk: Buffer): void {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    const err = this.#reader.push(bytes, (frame) => {
      if (!this.#intercept(frame)) {
        // The client keeps payload views: give each message a buffer of its own.
        this.onmessage?.({ data: frame.slice().buffer });
      }
      return this.readyState === 1;
    });
    if (err !== undefined) {
      this.#close ??= { code: 1009, reason: `relay ${err.message}` };
      this.readyState = 2;
      this.#socket.destroy();
    }
  }

  /** Handles the transport's own frames (heartbeat, its pong, close); true if consumed. */
  #intercept(frame: Uint8Array): boolean {
    if (frame[0] !== 0x01 || frame.length > SMALL_CONTROL_BYTES) return false;
    const decoded = decodeServerFrame(frame);
    if (!decoded.ok || decoded.frame.kind !== 'control') return false;
    const m = decoded.frame.message;
    switch (m.type) {
      case 'heartbeat':
        this.#socket.write(HEARTBEAT_ANSWER);
        return true;
      case 'pong':
        return m.id === HEARTBEAT_PING_ID;
      case 'close':
        this.#close ??= { code: m.code, reason: m.reason };
        return true;
      default:
        return false;
    }
  }
}
