// Distinct cursor colours in a room. A visitor who did not pick a colour themselves moves off a
// colour that a member who joined before them already wears, to a free one; members who joined
// earlier never move, so the room settles even when several people arrive at once.
import { PALETTE } from './identity.js';

/** Colours of the palette in the order a member tries them: rotated by member id, so two newcomers rarely pick the same. */
function preference(memberId: number): string[] {
  const colors = PALETTE.map((p) => p.color);
  const start = memberId % colors.length;
  return [...colors.slice(start), ...colors.slice(0, start)];
}

/**
 * The colour this member should wear: `current` unless a member listed before `selfId` (join
 * order) wears it too, then the first palette colour nobody else wears (or, in a room with more
 * members than colours, the first one no earlier member wears; failing that `current`).
 * @param members every member in join order, with their colour, self included
 */
export function distinctColor(current: string, selfId: number, members: readonly { id: number; color: string }[]): string {
  const selfIndex = members.findIndex((m) => m.id === selfId);
  const earlier = new Set(members.slice(0, selfIndex < 0 ? members.length : selfIndex).map((m) => m.color.toLowerCase()));
  if (!earlier.has(current.toLowerCase())) return current;
  const others = new Set(members.filter((m) => m.id !== selfId).map((m) => m.color.toLowerCase()));
  const order = preference(selfId);
  return order.find((c) => !others.has(c)) ?? order.find((c) => !earlier.has(c)) ?? current;
}
