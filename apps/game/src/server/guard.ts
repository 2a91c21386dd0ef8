// What a player may send, judged once per frame: the verdict says whether to apply it or kick the
// player (through the server API). The relay already bounds sizes and rates per connection; these
// are the game's own, tighter rules that only the game can know.
import { AXIS_MAX, Action, INPUT_KEY, decodeInput, type Input } from '../shared/wire.js';

export type Verdict =
  | { kind: 'input'; input: Input }
  | { kind: 'dash' }
  | { kind: 'ignore' }
  | { kind: 'kick'; reason: string };

export interface Frame {
  cls: 'reliable' | 'latest' | 'droppable';
  key?: number | undefined;
  direct: boolean;
  payload: Uint8Array;
}

/** Counts one player's frames per one-second window. */
export class PlayerGuard {
  #windowStart = 0;
  #count = 0;

  constructor(private readonly maxActionsPerSec: number) {}

  judge(frame: Frame, now: number): Verdict {
    if (frame.cls === 'latest') {
      if (frame.key !== INPUT_KEY) return { kind: 'kick', reason: `unknown latest key ${frame.key}` };
      if (frame.payload.length === 0) return { kind: 'ignore' }; // cleared: the player left or stopped
      const input = decodeInput(frame.payload);
      if (input === undefined) return { kind: 'kick', reason: `input of ${frame.payload.length} bytes` };
      if (Math.abs(input.dx) > AXIS_MAX || Math.abs(input.dy) > AXIS_MAX) {
        return { kind: 'kick', reason: `input out of range (${input.dx},${input.dy})` };
      }
      return { kind: 'input', input };
    }
    // Every other frame (actions, and broadcasts nobody listens to) counts against the budget.
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (++this.#count > this.maxActionsPerSec) return { kind: 'kick', reason: 'too many inputs' };
    if (!frame.direct) return { kind: 'ignore' };
    if (frame.payload.length === 1 && frame.payload[0] === Action.dash) return { kind: 'dash' };
    return { kind: 'kick', reason: 'unknown action' };
  }
}
