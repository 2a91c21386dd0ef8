// A raw TCP connection to the relay (PROTOCOL.md appendix A) for the simulated clients: u32be
// length-prefixed frames, the relay's `close` frame read as the close code (1006 without one).
// The Roomcast client (adapters.ts) speaks the same protocol over it as over WebSocket.
import { connect, type Socket } from 'node:net';
import type { Link, LinkEvents } from './link.js';
import { FrameKind, FrameStreamReader, decodeServerFrame, lengthPrefixed, STREAM_PREFIX_BYTES } from '@roomcast/protocol';

/** The largest frame the load tester accepts from the relay (the reference client's limit). */
const MAX_INCOMING_FRAME_BYTES = 16 * 1024 * 1024 + 64;

/** The events of a raw TCP link: those of every link (link.ts). */
export type TcpLinkEvents = LinkEvents;

/** "host:port" of a tcp://host:port URL. */
export function tcpAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 8081) };
}

export class TcpLink implements Link {
  readonly #socket: Socket;
  readonly #reader = new FrameStreamReader(MAX_INCOMING_FRAME_BYTES);
  #open = false;
  #closeCode = 1006;

  constructor(url: string, localAddress: string | undefined, private readonly events: TcpLinkEvents) {
    const { host, port } = tcpAddress(url);
    const socket = connect({ host, port, noDelay: true, ...(localAddress !== undefined ? { localAddress } : {}) });
    this.#socket = socket;
    const onFrame = (frame: Uint8Array): void => {
      // The relay's last frame before FIN carries the close code; a real client reads it the same way.
      if (frame[0] === FrameKind.Control && frame.length < 400) {
        const d = decodeServerFrame(frame);
        if (d.ok && d.frame.kind === 'control' && d.frame.message.type === 'close') this.#closeCode = d.frame.message.code;
      }
      this.events.frame(frame, frame.length + STREAM_PREFIX_BYTES);
    };
    socket.on('connect', () => {
      this.#open = true;
      this.events.open();
    });
    socket.on('data', (chunk: Buffer) => {
      const err = this.#reader.push(chunk, onFrame);
      if (err !== undefined) socket.destroy();
    });
    socket.on('error', (err: Error & { code?: string }) => {
      if (!this.#open) this.events.failed(err.code === 'ECONNREFUSED' ? 'connect_refused' : 'connect_failed', err.message);
    });
    socket.on('close', () => {
      const wasOpen = this.#open;
      this.#open = false;
      if (wasOpen) this.events.closed(this.#closeCode);
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  send(frame: Uint8Array): void {
    if (this.#open) this.#socket.write(lengthPrefixed(frame));
  }

  bufferedAmount(): number {
    return this.#socket.writableLength;
  }

  pause(): void {
    if (this.#open) this.#socket.pause();
  }

  resume(): void {
    if (this.#open) this.#socket.resume();
  }

  /** Ends our side (a TCP client sends no close frame, appendix A.2). */
  end(): void {
    this.#socket.end();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.#socket.destroy();
  }
}
