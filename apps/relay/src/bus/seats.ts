// Held seats across nodes (PROTOCOL.md §8.21, docs/decisions/0002-cluster.md "Seats"): a client
// that reconnects to another node with its resume token takes its seat over from the node that
// holds it. The member hash keeps a held seat's away flag and token hash (entry.ts); the seat
// moves by compare-and-set (scripts.ts TAKE), so a seat that expires on its node at the same
// moment is either moved or gone, never both.
import type { Claim } from '../core/cluster.js';
import { decodeStored, encodeEntry, seatHash } from './entry.js';
import { membersKey, roomKeys } from './keys.js';
import type { BusHandle } from './handle.js';
import { parseClaim } from './settings.js';

/** The held seat of `token` (and `userId`) in `room`, moved to this node; undefined when there is none. */
export async function takeSeat(bus: BusHandle, room: string, token: string, userId: string | undefined): Promise<Claim | undefined> {
  if (bus.state !== 'up') return undefined;
  await bus.listen(room);
  try {
    const hash = seatHash(token);
    for (const [id, stored] of Object.entries(await bus.track(bus.cmd.hgetall(membersKey(room))))) {
      const member = decodeStored(Number(id), stored);
      if (member === undefined || member.away !== true || member.seat !== hash || member.identity.userId !== userId) continue;
      // Compare-and-set: the seat moves only if it is still away and unchanged (its node may be dropping it now).
      const entry = `${bus.nodeId}\n${encodeEntry(member.presence, member.identity)}`;
      const claim = parseClaim(await bus.track(bus.scripts.rcTake(...roomKeys(room), id, stored, entry)) as unknown[], bus.defaults);
      if (claim.ok) return claim;
      break;
    }
  } catch (err) {
    bus.log.debug({ err, room }, 'cluster seat take failed');
  }
  bus.unlisten(room);
  return undefined;
}
