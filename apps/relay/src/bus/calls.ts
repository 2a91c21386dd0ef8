// Server API calls between nodes (core/cluster-admin.ts): a node that serves an API call relays
// it to every other live node on one sharded channel (`rc:{ctl}`) and waits a bounded time for
// their answers. JSON text: these are admin calls, a few per second, not room traffic. Nodes
// answer on the same channel, addressed to the caller; a node that does not answer in time is
// left out of the sum (and logged).
//   request {"q": id, "from": node, "c": command}     answer {"a": id, "to": node, "r": result}
import { randomUUID } from 'node:crypto';
import type { ClusterCommand } from '../core/cluster.js';
import { CONTROL_CHANNEL, NODES_KEY, leaseKey } from './keys.js';
import type { BusHandle } from './handle.js';

/** How long a caller waits for the other nodes' answers. */
export const CALL_TIMEOUT_MS = 1000;

interface Pending {
  want: number;
  answers: unknown[];
  done: (answers: unknown[]) => void;
}

export class BusCalls {
  readonly #pending = new Map<string, Pending>();

  constructor(private readonly bus: BusHandle) {}

  /** Relays `command` to every other live node; resolves with their answers (rejects if Redis cannot be reached). */
  async call(command: ClusterCommand): Promise<unknown[]> {
    const { bus } = this;
    const nodes = (await bus.cmd.smembers(NODES_KEY)).filter((n) => n !== bus.nodeId);
    const alive = await Promise.all(nodes.map((n) => bus.cmd.exists(leaseKey(n))));
    const want = alive.filter((a) => a === 1).length;
    if (want === 0) return [];
    const id = randomUUID();
    return new Promise<unknown[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = this.#pending.get(id);
        this.#pending.delete(id);
        bus.log.error({ op: command.op, answers: pending?.answers.length ?? 0, nodes: want }, 'server API call: not every node answered in time');
        resolve(pending?.answers ?? []);
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, { want, answers: [], done: (answers) => { clearTimeout(timer); resolve(answers); } });
      bus.cmd.spublish(CONTROL_CHANNEL, JSON.stringify({ q: id, from: bus.nodeId, c: command })).catch((err: unknown) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(err);
      });
    });
  }

  /** A message on the control channel: a request to run, or an answer for a call of this node. */
  receive(text: string): void {
    const message = JSON.parse(text) as { q?: string; from?: string; c?: ClusterCommand; a?: string; to?: string; r?: unknown };
    const { bus } = this;
    if (message.q !== undefined && message.from !== bus.nodeId && message.c !== undefined) {
      const result = bus.inbox?.command(message.c);
      bus.quiet(bus.cmd.spublish(CONTROL_CHANNEL, JSON.stringify({ a: message.q, to: message.from, r: result ?? null })));
      return;
    }
    if (message.a === undefined || message.to !== bus.nodeId) return;
    const pending = this.#pending.get(message.a);
    if (pending === undefined) return;
    pending.answers.push(message.r);
    if (pending.answers.length < pending.want) return;
    this.#pending.delete(message.a);
    pending.done(pending.answers);
  }
}
