// The transport-independent half of the raw test clients (helpers.ts for WebSocket,
// tcp-helpers.ts for TCP): a queue of decoded relay frames and waits driven by frames, never timers.
import {
  decodeServerFrame, encodeControl, encodeData,
  type ClientMessage, type ServerFrame, type ServerMessage,
} from '@roomcast/protocol';

export type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Request = DistributiveOmit<ClientMessage, 'id'>;

export abstract class ProtocolClient {
  /** Decoded frames nobody waited for yet, oldest first. */
  readonly frames: ServerFrame[] = [];
  /** Every frame received, as raw bytes, in order. */
  readonly raw: Uint8Array[] = [];
  private waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  private nextId = 1;

  /** Sends one whole frame in the transport's framing. */
  abstract sendFrame(frame: Uint8Array): void;

  /** Transports call this with each frame's bytes; throws on a frame the relay should never send. */
  protected receive(bytes: Uint8Array): void {
    this.raw.push(bytes);
    const decoded = decodeServerFrame(bytes);
    if (!decoded.ok) throw new Error(`relay sent an undecodable frame: ${decoded.error.message}`);
    this.onFrame(decoded.frame);
    const waiter = this.waiters.findIndex((w) => w.pred(decoded.frame));
    if (waiter >= 0) this.waiters.splice(waiter, 1)[0]!.resolve(decoded.frame);
    else this.frames.push(decoded.frame);
  }

  /** Hook for transports that look at frames as they arrive. */
  protected onFrame(_frame: ServerFrame): void {}

  sendControl(message: ClientMessage): void {
    this.sendFrame(encodeControl(message));
  }

  sendData(room: number, payload: Uint8Array, target?: number): void {
    this.sendFrame(encodeData({ room, target }, payload));
  }

  /** Resolves with the first frame (buffered or future) matching `pred`, removing it. */
  next(pred: (f: ServerFrame) => boolean = () => true): Promise<ServerFrame> {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** Next control message of the given type (optionally also matching `pred`). */
  async nextMessage<T extends ServerMessage['type']>(type: T, pred: (m: Msg<T>) => boolean = () => true): Promise<Msg<T>> {
    const frame = await this.next((f) => f.kind === 'control' && f.message.type === type && pred(f.message as Msg<T>));
    return (frame as Extract<ServerFrame, { kind: 'control' }>).message as Msg<T>;
  }

  nextError(code?: string): Promise<Msg<'error'>> {
    return this.nextMessage('error', (m) => code === undefined || m.code === code);
  }

  async nextDeliver(): Promise<Extract<ServerFrame, { kind: 'deliver' }>> {
    return (await this.next((f) => f.kind === 'deliver')) as Extract<ServerFrame, { kind: 'deliver' }>;
  }

  /** Sends a request and returns whatever reply carries its id. */
  async requestAny(message: Request): Promise<ServerMessage> {
    const id = this.nextId++;
    this.sendControl({ ...message, id } as ClientMessage);
    const frame = await this.next((f) => f.kind === 'control' && 'id' in f.message && f.message.id === id);
    return (frame as Extract<ServerFrame, { kind: 'control' }>).message;
  }

  /** Sends a request with a fresh id and waits for the reply of type `reply` (or throws on another reply). */
  async request<T extends ServerMessage['type']>(message: Request, reply: T): Promise<Msg<T>> {
    const msg = await this.requestAny(message);
    if (msg.type !== reply) throw new Error(`expected ${reply}, got ${JSON.stringify(msg)}`);
    return msg as Msg<T>;
  }

  join(room: string, presence?: unknown): Promise<Msg<'joined'>> {
    return this.request({ type: 'join', room, presence: presence as never }, 'joined');
  }
}
