// Distinct colours in a room (src/colors.ts): a later member moves off an earlier member's
// colour; earlier members never move; the room settles when several arrive at once.
import { describe, expect, it } from 'vitest';
import { distinctColor } from '../src/colors.js';
import { PALETTE } from '../src/identity.js';

const C = PALETTE.map((p) => p.color);

describe('distinctColor', () => {
  it('keeps a colour nobody before you wears', () => {
    expect(distinctColor(C[0]!, 2, [{ id: 1, color: C[1]! }, { id: 2, color: C[0]! }])).toBe(C[0]);
  });

  it('the first member keeps its colour even when a later one wears it too', () => {
    expect(distinctColor(C[0]!, 1, [{ id: 1, color: C[0]! }, { id: 2, color: C[0]! }])).toBe(C[0]);
  });

  it('a later member moves to a colour nobody wears, starting from its id in the palette', () => {
    const members = [{ id: 1, color: C[2]! }, { id: 2, color: C[3]! }, { id: 3, color: C[2]! }];
    expect(distinctColor(C[2]!, 3, members)).toBe(C[4]); // id 3 → starts at C[3], worn by member 2
  });

  it('three members who arrive with the same colour end up with three colours', () => {
    let members = [1, 2, 3].map((id) => ({ id, color: C[5]! }));
    // Each applies the rule once, in any order, seeing the others' latest colours.
    for (const id of [3, 2, 1]) {
      members = members.map((m) => (m.id === id ? { ...m, color: distinctColor(m.color, id, members) } : m));
    }
    expect(new Set(members.map((m) => m.color)).size).toBe(3);
    expect(members[0]!.color).toBe(C[5]);
  });

  it('compares colours case-insensitively', () => {
    expect(distinctColor(C[0]!.toUpperCase(), 2, [{ id: 1, color: C[0]! }, { id: 2, color: C[0]!.toUpperCase() }])).not.toBe(C[0]!.toUpperCase());
  });

  it('with more members than colours, at least avoids the earlier members', () => {
    const members = C.map((color, i) => ({ id: i + 1, color }));
    members.push({ id: 99, color: C[0]! });
    expect(distinctColor(C[0]!, 99, members)).toBe(C[0]); // every colour worn by someone earlier: keep
  });
});
