// Simulated clients, one per wire dialect: the Roomcast protocol (relay and the uWS / ws
// baselines; over ws-link.ts, a lean WebSocket connection, or raw TCP) and Socket.IO (engine.io v4
// + socket.io v5 packets, spoken directly over the `ws` library so that frames and bytes are
// counted the same way). Receivers read only the header bytes and the
// 4-byte timestamp; they decode control frames fully (they are rare).
import {
  DeliveryClass, FrameKind, PROTOCOL_VERSION, decodeServerFrame, encodeControl, encodeData,
} from '@roomcast/protocol';
import WebSocket from 'ws';
import type { ClassName, TargetKind } from './args.js';
import { scanBatch, type BatchVisitor } from './batch-scan.js';
import { readU32, wsFrameBytes, writePayload } from './payload.js';
import { TcpLink } from './tcp-link.js';
import type { Link, LinkEvents } from './link.js';
import { WsLink } from './ws-link.js';

/** What a simulated client reports to its driver. */
export interface ClientSink {
  /** A data message arrived: its sender's timestamp (-1 without one: --cursor3), bytes on the wire, payload bytes, sender (0 if unknown). */
  onDeliver(client: SimClient, ts: number, wireBytes: number, payloadBytes: number, sender: number): void;
  /** Any other frame (control, handshake, heartbeats, batches without others' updates): bytes on the wire. */
  onOther(client: SimClient, wireBytes: number): void;
  /** A frame carrying data arrived (a deliver frame, or a batch frame of any content). */
  onDataFrame(client: SimClient): void;
  /** An error reported by the server, or a transport failure, by stable code. */
  onError(client: SimClient, code: string): void;
  /** The connection closed (after it was open). */
  onClose(client: SimClient, code: number): void;
}

export interface ClientOptions {
  url: string;
  room: string;
  cls: ClassName;
  cursor: boolean;
  /** 3-byte SDK cursors without a timestamp (see Options.cursor3). */
  cursor3?: boolean;
  payloadBytes: number;
  /** Milliseconds to connect, handshake and join. */
  timeoutMs: number;
  /** Local (source) address to connect from (--source-addresses), else the system's choice. */
  localAddress?: string | undefined;
}

export interface SimClient {
  readonly index: number;
  /** Resolves once joined; rejects with an Error whose message is an error code (and `detail`, a transport message, if any). */
  open(): Promise<void>;
  /** Sends one message with timestamp `ts` (cursor position or sequence number as content). */
  send(ts: number, seq: number, cursor: { x: number; y: number } | undefined): void;
  /** Bytes queued in the client's socket (the load generator falling behind shows here). */
  bufferedAmount(): number;
  pause(): void;
  resume(): void;
  close(): void;
  /** Probe receivers record latency; slow receivers read at reduced speed. */
  probe: boolean;
  slow: boolean;
  /** Counted in expected/delivered (false for churn clients). */
  counted: boolean;
  joined: boolean;
  /** This client's member id in its room (from `joined.self`; 0 until joined or if unknown). */
  readonly self: number;
}

export function createClient(kind: TargetKind, index: number, opts: ClientOptions, sink: ClientSink): SimClient {
  if (kind === 'socketio') return new SocketIoClient(index, opts, sink);
  return new RoomcastSimClient(index, opts, sink);
}

const CLASS_BITS: Record<ClassName, DeliveryClass> = {
  reliable: DeliveryClass.Reliable, latest: DeliveryClass.Latest, droppable: DeliveryClass.Droppable,
};

abstract class BaseClient {
  protected ws: WebSocket | undefined;
  probe = false;
  slow = false;
  counted = true;
  joined = false;
  self = 0;
  protected done = false;

  constructor(readonly index: number, protected readonly opts: ClientOptions, protected readonly sink: ClientSink) {}

  protected connect(url: string, onOpen: () => void, onMessage: (data: Buffer, isBinary: boolean) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, {
        perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: this.opts.timeoutMs,
        ...(this.opts.localAddress !== undefined ? { localAddress: this.opts.localAddress } : {}),
      });
      this.ws = ws;
      ws.binaryType = 'nodebuffer';
      const { fail, settled } = this.pendingJoin(resolve, reject, () => ws.terminate());
      ws.on('open', onOpen);
      ws.on('message', onMessage);
      // A refused upgrade (wrong path, not a WebSocket server) is counted by its HTTP status.
      ws.on('unexpected-response', (_req, res) => fail(`http_${res.statusCode ?? 0}`, `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
      ws.on('error', (err: Error & { code?: string }) => {
        if (!settled()) fail(err.code === 'ECONNREFUSED' ? 'connect_refused' : 'connect_failed', err.message);
      });
      ws.on('close', (code: number) => {
        if (!settled()) return fail(`closed_${code}`);
        if (!this.done) this.sink.onClose(this as unknown as SimClient, code);
        this.joined = false;
      });
    });
  }

  protected settleJoin: (err?: string) => void = () => {};

  /**
   * The join handshake of open(): `fail` rejects it once (after `teardown` of the connection),
   * settleJoin resolves it once the relay says joined, and it fails with join_timeout after
   * timeoutMs. `settled()` tells a close during the join (a failure) from one after it (a loss).
   */
  protected pendingJoin(resolve: () => void, reject: (err: Error) => void, teardown: () => void) {
    let settled = false;
    const fail = (code: string, detail?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.done = true;
      teardown();
      reject(Object.assign(new Error(code), { detail }));
    };
    const timer = setTimeout(() => fail('join_timeout'), this.opts.timeoutMs);
    this.settleJoin = (err?: string) => {
      if (settled) return;
      if (err !== undefined) return fail(err);
      settled = true;
      clearTimeout(timer);
      this.joined = true;
      resolve();
    };
    return { fail, settled: () => settled };
  }

  bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  pause(): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.pause();
  }

  resume(): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.resume();
  }

  close(): void {
    this.done = true;
    this.joined = false;
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    else ws.terminate();
  }
}

/**
 * A client speaking the Roomcast wire protocol (PROTOCOL.md): hello, join, data, deliver. Over
 * WebSocket (ws:// and wss://, ws-link.ts) or raw TCP (tcp://host:port, PROTOCOL.md appendix A,
 * tcp-link.ts): the same handshake, frames and counting; on TCP, wire bytes are the frame plus its
 * 4-byte length prefix.
 */
export class RoomcastSimClient extends BaseClient implements SimClient, BatchVisitor {
  private handle = 0;
  /** Wire bytes of the batch being visited, per delivered update. */
  private wirePerUpdate = 0;
  private readonly clsBits: DeliveryClass;
  private link: Link | undefined;

  constructor(index: number, opts: ClientOptions, sink: ClientSink) {
    super(index, opts, sink);
    this.clsBits = CLASS_BITS[opts.cls];
  }

  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const { fail, settled } = this.pendingJoin(resolve, reject, () => this.link?.destroy());
      const events: LinkEvents = {
        open: () => this.transmit(encodeControl({ type: 'hello', id: 1, v: PROTOCOL_VERSION, client: 'roomcast-loadtest' })),
        frame: (frame, wire) => this.onMessage(frame, wire),
        failed: (code, detail) => fail(code, detail),
        closed: (code) => {
          if (!settled()) return fail(`closed_${code}`);
          if (!this.done) this.sink.onClose(this, code);
          this.joined = false;
        },
      };
      const url = this.opts.url;
      this.link = url.startsWith('tcp:') ? new TcpLink(url, this.opts.localAddress, events) : new WsLink(url, this.opts.localAddress, events);
    });
  }

  /** Sends one frame (a WebSocket message, or a length-prefixed frame on TCP). */
  private transmit(frame: Uint8Array): void {
    this.link?.send(frame);
  }

  /** One frame from the relay; `wire` is its size on the wire (framing included). */
  private onMessage(data: Uint8Array, wire: number): void {
    const len = data.length;
    if (len >= 6 && data[0] === 0x03) {
      // deliver: 03 flags room:u16 sender:u16 [key] payload; the timestamp opens the payload.
      const off = (data[1]! & 0x03) === DeliveryClass.Latest ? 7 : 6;
      if (this.opts.cursor3 && len > off) {
        this.sink.onDataFrame(this);
        this.sink.onDeliver(this, -1, wire, len - off, (data[4]! << 8) | data[5]!);
        return;
      }
      if (len >= off + 4) {
        this.sink.onDataFrame(this);
        this.sink.onDeliver(this, readU32(data, off), wire, len - off, (data[4]! << 8) | data[5]!);
        return;
      }
    }
    if (data[0] === FrameKind.Batch && this.onBatch(data, wire)) return;
    this.sink.onOther(this, wire);
    const decoded = decodeServerFrame(data);
    if (!decoded.ok) return this.sink.onError(this, decoded.error.code);
    if (decoded.frame.kind !== 'control') return;
    const m = decoded.frame.message;
    if (m.type === 'welcome') this.transmit(encodeControl({ type: 'join', id: 2, room: this.opts.room }));
    else if (m.type === 'joined') {
      this.handle = m.handle;
      this.self = m.self;
      this.settleJoin();
    } else if (m.type === 'error') {
      this.sink.onError(this, m.code);
      if (m.id === 1 || m.id === 2) this.settleJoin(m.code);
    }
  }

  /**
   * A batch frame (kind 0x04, the relay's tick flush of `latest` values), counted as `splitBatch`
   * says, by `scanBatch` (no objects per entry). Returns false if the frame is not a decodable batch.
   */
  private onBatch(data: Uint8Array, wire: number): boolean {
    const timestamped = this.opts.cursor3 !== true;
    const n = scanBatch(data, this.self, timestamped);
    if (n < 0) return false;
    this.sink.onDataFrame(this);
    if (n === 0) {
      this.sink.onOther(this, wire);
      return true;
    }
    this.wirePerUpdate = wire / n;
    scanBatch(data, this.self, timestamped, this);
    return true;
  }

  /** BatchVisitor: one delivered update of the batch being scanned. */
  update(sender: number, ts: number, payloadBytes: number): void {
    this.sink.onDeliver(this, ts, this.wirePerUpdate, payloadBytes, sender);
  }

  send(ts: number, seq: number, cursor: { x: number; y: number } | undefined): void {
    if (!this.joined || this.link?.isOpen !== true) return;
    let payload: Uint8Array;
    if (this.opts.cursor3) payload = encodeCursor3(cursor?.x ?? 0, cursor?.y ?? 0);
    else {
      payload = new Uint8Array(this.opts.cursor ? 8 : this.opts.payloadBytes);
      writePayload(payload, ts, cursor, seq);
    }
    const key = this.clsBits === DeliveryClass.Latest ? 0 : undefined;
    this.transmit(encodeData({ room: this.handle, cls: this.clsBits, key }, payload));
  }

  override bufferedAmount(): number {
    return this.link?.bufferedAmount() ?? 0;
  }

  override pause(): void {
    this.link?.pause();
  }

  override resume(): void {
    this.link?.resume();
  }

  override close(): void {
    this.done = true;
    this.joined = false;
    this.link?.end();
  }
}

/** One delivered update of a batch frame. */
export interface BatchUpdate {
  sender: number;
  /** The sender's timestamp (the first 4 payload bytes). */
  ts: number;
  payloadBytes: number;
}

/**
 * How a batch frame counts (the reference form; the receive path uses batch-scan.ts). Each entry from another member whose payload holds a timestamp is one
 * delivered update. The receiver's own entry (a batch may include it, PROTOCOL.md §4.4; clients
 * skip it) and cleared (empty) or timestamp-less entries are not deliveries: their bytes are wire
 * overhead, so the frame's whole wire size is shared equally by the delivered updates
 * (`wireBytesPerUpdate`); with no delivered update the whole frame is overhead. Without timestamps
 * (--cursor3) every non-empty entry of another member counts, with ts = -1.
 */
export function splitBatch(wireBytes: number, entries: readonly BatchEntryLike[], self: number, timestamped = true): {
  wireBytes: number; updates: BatchUpdate[]; wireBytesPerUpdate: number;
} {
  const updates: BatchUpdate[] = [];
  for (const e of entries) {
    if (e.sender === self || e.payload.length < (timestamped ? 4 : 1)) continue;
    updates.push({ sender: e.sender, ts: timestamped ? readU32(e.payload, 0) : -1, payloadBytes: e.payload.length });
  }
  return { wireBytes, updates, wireBytesPerUpdate: updates.length > 0 ? wireBytes / updates.length : 0 };
}

export interface BatchEntryLike {
  sender: number;
  payload: Uint8Array;
}

/**
 * The SDK's cursor encoding (packages/client/src/cursor.ts, encodeCursor): x and y in [0, 1]
 * quantised to 12 bits each, 3 bytes big-endian. Repeated here so the load tester does not
 * depend on the client SDK.
 */
export function encodeCursor3(x: number, y: number): Uint8Array {
  const q = (v: number): number => Math.round(Math.min(1, Math.max(0, Number.isNaN(v) ? 0 : v)) * 4095);
  const qx = q(x);
  const qy = q(y);
  return Uint8Array.of(qx >> 4, ((qx & 0x0f) << 4) | (qy >> 8), qy & 0xff);
}

/** Appends the engine.io path to a bare ws://host:port URL. */
export function socketIoUrl(url: string): string {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/socket.io/';
  u.searchParams.set('EIO', '4');
  u.searchParams.set('transport', 'websocket');
  return u.toString();
}

/**
 * Extracts the `t` field of a socket.io cursor event `42["c",{"x":1,"y":2,"t":123}]` without a
 * full JSON parse; -1 if absent.
 */
export function cursorTimestamp(text: string): number {
  const i = text.indexOf('"t":');
  if (i < 0) return -1;
  const n = parseInt(text.slice(i + 4, i + 16), 10);
  return Number.isFinite(n) ? n : -1;
}

/**
 * A Socket.IO client over raw WebSocket (what socket.io-client does with transports: ['websocket']):
 * engine.io open `0{…}` → `40` connect → `420["join",room]` with an ack → events. Cursors go as
 * JSON events `42["c",{"x","y","t"}]` (what Socket.IO users send); --payload goes as a binary
 * attachment (`451-["b",{"_placeholder":true,"num":0}]` followed by a binary frame).
 */
export class SocketIoClient extends BaseClient implements SimClient {
  private pendingBinaryHeaderBytes = -1;

  open(): Promise<void> {
    return this.connect(socketIoUrl(this.opts.url), () => {}, (data, isBinary) => this.onMessage(data, isBinary));
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const wire = wsFrameBytes(data.length);
    if (isBinary) {
      if (this.pendingBinaryHeaderBytes >= 0 && data.length >= 4) {
        // One delivered update costs both frames: the placeholder text frame and this one.
        this.sink.onDataFrame(this);
        this.sink.onDeliver(this, readU32(data, 0), wire + this.pendingBinaryHeaderBytes, data.length, 0);
      } else this.sink.onOther(this, wire);
      this.pendingBinaryHeaderBytes = -1;
      return;
    }
    const text = data.toString('latin1');
    if (text.startsWith('42["c"')) {
      const ts = this.opts.cursor3 ? -1 : cursorTimestamp(text);
      if (ts >= 0 || this.opts.cursor3) {
        this.sink.onDataFrame(this);
        return this.sink.onDeliver(this, ts, wire, data.length, 0);
      }
    }
    if (text.startsWith('451-["b"')) {
      this.pendingBinaryHeaderBytes = wire;
      return;
    }
    this.sink.onOther(this, wire);
    const ws = this.ws!;
    if (text === '2') ws.send('3');
    else if (text.startsWith('0{')) ws.send('40');
    else if (text.startsWith('40')) ws.send(`420${JSON.stringify(['join', this.opts.room])}`);
    else if (text.startsWith('430')) this.settleJoin();
    else if (text.startsWith('44')) {
      this.sink.onError(this, 'connect_error');
      this.settleJoin('connect_error');
    }
  }

  send(ts: number, seq: number, cursor: { x: number; y: number } | undefined): void {
    const ws = this.ws;
    if (!this.joined || ws === undefined || ws.readyState !== WebSocket.OPEN) return;
    if (cursor && this.opts.cursor3) {
      ws.send(`42["c",{"x":${Math.round(cursor.x * 1920)},"y":${Math.round(cursor.y * 1080)}}]`);
    } else if (cursor) {
      ws.send(`42["c",{"x":${Math.round(cursor.x * 1920)},"y":${Math.round(cursor.y * 1080)},"t":${ts}}]`);
    } else {
      const payload = Buffer.alloc(this.opts.payloadBytes);
      writePayload(payload, ts, undefined, seq);
      ws.send('451-["b",{"_placeholder":true,"num":0}]');
      ws.send(payload);
    }
  }
}
