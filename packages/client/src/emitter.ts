// A tiny typed event emitter (no dependencies), used by the client and by rooms.
// Each event carries one payload; listeners are called in registration order.

/** A listener for an event whose payload has type `T`. */
export type Listener<T> = (payload: T) => void;

/**
 * Typed emitter keyed by an event map such as `{ status: ClientStatus }`.
 * A listener that throws does not stop the others or corrupt the caller's state: the error is
 * re-thrown from a microtask, where the host reports it as uncaught.
 */
export class Emitter<Events extends object> {
  #listeners: { [K in keyof Events]?: Set<Listener<Events[K]>> } = {};

  /** Adds `listener` for `event`. Returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners[event];
    if (set === undefined) {
      set = new Set();
      this.#listeners[event] = set;
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Adds a listener that is removed after its first call. Returns a function that removes it. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const wrapper: Listener<Events[K]> = (payload) => {
      this.off(event, wrapper);
      listener(payload);
    };
    return this.on(event, wrapper);
  }

  /** Removes `listener` from `event`; does nothing if it was not added. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners[event]?.delete(listener);
  }

  /** Number of listeners for `event`. */
  listenerCount<K extends keyof Events>(event: K): number {
    return this.#listeners[event]?.size ?? 0;
  }

  /** Calls every listener of `event` with `payload`; listeners added meanwhile wait for the next emit. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners[event];
    if (set === undefined || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
