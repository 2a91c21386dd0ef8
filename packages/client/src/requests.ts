// Pending requests of one client: u32 ids, reply matching, per-request timeouts.
// A reply's handler runs synchronously while the reply frame is dispatched, so state it sets up
// (a room's handle, its member map) is in place before the next frame is read.
import type { ClientMessage, ErrorMessage, ServerMessage } from '@roomcast/protocol/client';
import { RoomcastError } from './errors.js';

/** Server messages that answer a request. */
export type ReplyType = 'welcome' | 'joined' | 'ok' | 'pong' | 'refreshed';
/** The reply message of type `T`. */
export type Reply<T extends ReplyType> = Extract<ServerMessage, { type: T }>;
/** A client request before its id is assigned. */
export type RequestMessage = ClientMessage extends infer M ? (M extends ClientMessage ? Omit<M, 'id'> : never) : never;

interface Pending {
  expect: ReplyType;
  accept(reply: ServerMessage): void;
  reject(err: RoomcastError): void;
  timer: ReturnType<typeof setTimeout>;
}

const MAX_REQUEST_ID = 0xffff_ffff;

/** The table of requests awaiting a reply, keyed by request id. */
export class Requests {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  /** Number of requests awaiting a reply. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request expecting a reply of type `expect` within `timeoutMs`. `onReply` runs
   * synchronously when the reply arrives; its result resolves the promise. The caller sends the
   * frame with the returned id (and calls {@link fail} with that id if sending throws).
   */
  open<T extends ReplyType, R>(
    expect: T,
    timeoutMs: number,
    describe: string,
    onReply: (reply: Reply<T>) => R,
  ): { id: number; promise: Promise<R> } {
    const id = this.#allocateId();
    const promise = new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RoomcastError('timeout', `no reply to ${describe} (request ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        expect,
        timer,
        reject,
        accept: (reply) => {
          if (reply.type !== expect) {
            reject(new RoomcastError('bad_message', `relay answered ${describe} (request ${id}) with '${reply.type}', expected '${expect}'`));
            return;
          }
          try {
            resolve(onReply(reply as Reply<T>));
          } catch (err) {
            reject(err);
          }
        },
      });
    });
    return { id, promise };
  }

  /**
   * Settles the request named by a reply or by an `error` carrying an id.
   * Returns false when no request with that id is pending (it timed out, or was never sent).
   */
  settle(reply: Reply<ReplyType> | ErrorMessage): boolean {
    if (reply.id === undefined) return false;
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return false;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.type === 'error') {
      pending.reject(new RoomcastError(reply.code, reply.message, { room: reply.room }));
    } else {
      pending.accept(reply);
    }
    return true;
  }

  /** Rejects one pending request (e.g. its frame could not be sent). */
  fail(id: number, err: RoomcastError): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.reject(err);
  }

  /** Rejects every pending request (the connection they were sent on is gone). */
  failAll(err: RoomcastError): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of all) {
      clearTimeout(pending.timer);
      pending.reject(err);
    }
  }

  #allocateId(): number {
    // Ids wrap after 2^32 - 1 requests; skip any still pending.
    let id = this.#nextId;
    while (this.#pending.has(id)) id = id === MAX_REQUEST_ID ? 1 : id + 1;
    this.#nextId = id === MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }
}
