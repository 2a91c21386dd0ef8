// A lean WebSocket client connection (RFC 6455) for the simulated Roomcast clients. At 10,000
// clients the load generator receives ~240,000 frames a second; with the `ws` library each one
// passed through a Readable socket stream, a Writable receiver stream, a Buffer per read and per
// message and two event emissions (perf: user space ~60% of the load generator's CPU, the stream and
// receiver layers most of it). Here every socket of a thread reads into one shared buffer
// (net `onread`: no Buffer, stream or 'data' event per read) and frames are handed over as views of
// it, valid during the call, as TcpLink does. `ws` still serves Socket.IO clients.
//
// Scope: what a client of the relay needs. Handshake (101 with a checked Sec-WebSocket-Accept,
// else `http_<status>`), binary and text messages (fragments joined), close (code read, echoed),
// ping (answered with pong). No extensions (the relay's permessage-deflate is never offered).
import { createHash, randomFillSync } from 'node:crypto';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Link, LinkEvents } from './link.js';

/** The largest message the load tester accepts from the relay (the reference client's limit). */
const MAX_INCOMING_MESSAGE_BYTES = 16 * 1024 * 1024 + 64;
/** Largest HTTP response head accepted during the handshake. */
const MAX_HANDSHAKE_BYTES = 16 * 1024;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Closes without a close frame (RFC 6455 §7.1.5), and a close frame without a code (§7.1.5). */
const CLOSE_ABNORMAL = 1006;
const CLOSE_NO_STATUS = 1005;

/** Every plain socket of this thread reads into this buffer; frames are parsed before the next read. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** Random bytes for the client's masking keys (RFC 6455 §5.3), refilled in bulk. */
const MASK_POOL = Buffer.allocUnsafe(8 * 1024);
let maskAt = MASK_POOL.length;

export class WsLink implements Link {
  readonly #socket: Socket;
  readonly #key: string;
  readonly #events: LinkEvents;
  #open = false;
  #closeCode = CLOSE_ABNORMAL;
  #failed = false;
  /** Bytes of an incomplete handshake response or frame, kept until the next read. */
  #pending: Buffer | undefined;
  /** A fragmented message being joined, and its wire bytes so far. */
  #fragments: Buffer[] | undefined;
  #fragmentWire = 0;

  constructor(url: string, localAddress: string | undefined, events: LinkEvents) {
    this.#events = events;
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const tls = u.protocol === 'wss:';
    const port = Number(u.port || (tls ? 443 : 80));
    this.#key = randomFillSync(Buffer.alloc(16)).toString('base64');
    const common = { host, port, noDelay: true, ...(localAddress !== undefined ? { localAddress } : {}) };
    const socket = tls
      ? tlsConnect({ ...common, ...(isIP(host) === 0 ? { servername: host } : {}) })
      : netConnect({ ...common, onread: { buffer: READ_BUFFER, callback: (n: number) => { this.#onBytes(READ_BUFFER, n); return true; } } });
    // TLS sockets do not take `onread`: their plaintext comes as 'data' chunks.
    if (tls) socket.on('data', (chunk: Buffer) => this.#onBytes(chunk, chunk.length));
    this.#socket = socket;
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + `Sec-WebSocket-Key: ${this.#key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.on('error', (err: Error & { code?: string }) => {
      if (!this.#open) this.#fail(err.code === 'ECONNREFUSED' ? 'connect_refused' : 'connect_failed', err.message);
    });
    socket.on('close', () => {
      if (!this.#open) return this.#fail('connect_failed', 'socket hang up');
      this.#open = false;
      this.#events.closed(this.#closeCode);
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  #fail(code: string, detail: string): void {
    if (this.#failed || this.#open) return;
    this.#failed = true;
    this.#socket.destroy();
    this.#events.failed(code, detail);
  }

  /** `n` new bytes at the start of `buf` (the shared read buffer, or a TLS chunk). */
  #onBytes(buf: Buffer, n: number): void {
    // Parsed in place (no view per read) unless an incomplete frame waits from the last read.
    let data = buf;
    let end = n;
    if (this.#pending !== undefined) {
      data = Buffer.concat([this.#pending, buf.subarray(0, n)]);
      end = data.length;
      this.#pending = undefined;
    }
    let pos = 0;
    if (!this.#open) {
      pos = this.#handshake(data.subarray(0, end));
      if (pos < 0) return; // incomplete (kept) or failed
    }
    pos = this.#frames(data, pos, end);
    // Keep an incomplete frame: the shared buffer is overwritten by the next read of any socket.
    if (pos >= 0 && pos < end) this.#pending = Buffer.from(data.subarray(pos, end));
  }

  /** Reads the HTTP response head; returns the offset after it, or -1 (incomplete: kept; or failed). */
  #handshake(data: Buffer): number {
    const end = data.indexOf('\r\n\r\n', 0, 'latin1');
    if (end < 0) {
      if (data.length > MAX_HANDSHAKE_BYTES) this.#fail('connect_failed', 'handshake response too long');
      else this.#pending = Buffer.from(data);
      return -1;
    }
    const head = data.toString('latin1', 0, end);
    const status = /^HTTP\/1\.[01] (\d{3})\s*([^\r\n]*)/.exec(head);
    if (status === null) {
      this.#fail('connect_failed', 'not an HTTP response');
      return -1;
    }
    if (status[1] !== '101') {
      this.#fail(`http_${status[1]}`, `HTTP ${status[1]} ${status[2] ?? ''}`.trim());
      return -1;
    }
    const accept = /\r\nsec-websocket-accept:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
    if (accept !== createHash('sha1').update(this.#key + WS_GUID).digest('base64')) {
      this.#fail('connect_failed', 'Invalid Sec-WebSocket-Accept header');
      return -1;
    }
    this.#open = true;
    this.#events.open();
    return end + 4;
  }

  /** Parses whole frames in data[pos, len); returns where the first incomplete one starts, or -1 on a protocol error. */
  #frames(data: Buffer, pos: number, len: number): number {
    while (pos + 2 <= len && this.#open) {
      const b0 = data[pos]!;
      const b1 = data[pos + 1]!;
      let size = b1 & 0x7f;
      let head = 2;
      if (size === 126) {
        if (pos + 4 > len) break;
        size = data.readUInt16BE(pos + 2);
        head = 4;
      } else if (size === 127) {
        if (pos + 10 > len) break;
        size = data.readUInt32BE(pos + 2) * 0x1_0000_0000 + data.readUInt32BE(pos + 6);
        head = 10;
      }
      // Server frames are never masked (RFC 6455 §5.1); reserved bits need an extension we never offer.
      if ((b1 & 0x80) !== 0 || (b0 & 0x70) !== 0 || size > MAX_INCOMING_MESSAGE_BYTES) {
        this.#socket.destroy();
        return -1;
      }
      if (pos + head + size > len) break;
      const start = pos + head;
      pos = start + size;
      this.#frame(b0, data.subarray(start, pos), head + size);
    }
    return pos;
  }

  #frame(b0: number, payload: Buffer, wire: number): void {
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
      if (fin && this.#fragments === undefined) return this.#events.frame(payload, wire);
      // A fragment: copy (the view dies with this read) and deliver the joined message at FIN.
      this.#fragments ??= [];
      this.#fragments.push(Buffer.from(payload));
      this.#fragmentWire += wire;
      if (!fin) return;
      const whole = Buffer.concat(this.#fragments);
      const total = this.#fragmentWire;
      this.#fragments = undefined;
      this.#fragmentWire = 0;
      return this.#events.frame(whole, total);
    }
    if (opcode === 0x8) {
      this.#closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : CLOSE_NO_STATUS;
      this.#write(0x88, payload.subarray(0, 2));
      this.#socket.end();
    } else if (opcode === 0x9) this.#write(0x8a, payload);
    // 0xA (pong) and unknown opcodes: nothing to do.
  }

  send(frame: Uint8Array): void {
    if (this.#open) this.#write(0x82, frame);
  }

  /** One masked frame with `opcode byte` b0, header and payload in a single write. */
  #write(b0: number, payload: Uint8Array): void {
    const n = payload.length;
    const ext = n < 126 ? 0 : n < 0x10000 ? 2 : 8;
    const out = Buffer.allocUnsafe(6 + ext + n);
    out[0] = b0;
    if (ext === 0) out[1] = 0x80 | n;
    else if (ext === 2) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(n, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 2);
      out.writeUInt32BE(n >>> 0, 6);
    }
    if (maskAt + 4 > MASK_POOL.length) {
      randomFillSync(MASK_POOL);
      maskAt = 0;
    }
    const m = 2 + ext;
    MASK_POOL.copy(out, m, maskAt, maskAt + 4);
    maskAt += 4;
    for (let i = 0; i < n; i++) out[m + 4 + i] = payload[i]! ^ out[m + (i & 3)]!;
    this.#socket.write(out);
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

  /** Sends a close frame (1000) and ends our side; the relay closes the connection. */
  end(): void {
    if (!this.#open) return this.destroy();
    this.#write(0x88, Uint8Array.of(0x03, 0xe8));
    this.#socket.end();
    // Should the relay never close its side, drop the socket (unref: does not hold the process).
    setTimeout(() => this.#socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
