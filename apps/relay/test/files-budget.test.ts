// The room's file budget (PROTOCOL.md appendix B.3 rule 2) on the real relay: announced in
// `joined` as half of RELAY_ROOM_MAX_BYTES_OUT_PER_SEC, read by the SDK (room.fileBytesPerSec),
// and what `@roomcast/client/files` paces by unless told otherwise.
import { describe, expect, it } from 'vitest';
import { nextFile, othersPresent, pattern, same, useFileRelay } from './files-helpers.js';

const relay = useFileRelay({});

describe('the room file budget', () => {
  it('is announced in joined (half the room output budget) and used by RoomFiles unless an option overrides it', async () => {
    await relay.start();
    // The helper's test default (1 GiB/s) is dropped: undefined keeps the announced budget.
    const a = await relay.member('r', 'ws', { roomBytesPerSec: undefined });
    expect(a.room.fileBytesPerSec).toBe(4 * 1024 * 1024);
    expect(a.files.roomBytesPerSec).toBe(4 * 1024 * 1024);
    const b = await relay.member('r', 'tcp', { roomBytesPerSec: 12345 });
    expect(b.room.fileBytesPerSec).toBe(4 * 1024 * 1024);
    expect(b.files.roomBytesPerSec).toBe(12345);
  });

  it('follows RELAY_ROOM_MAX_BYTES_OUT_PER_SEC, and a transfer is paced by it (not only by the connection budget)', { timeout: 30_000 }, async () => {
    // File budget 100 000 B/s: the binding limit here (files may use 75 % of the connection's
    // 256 KiB/s, about 196 600 B/s).
    await relay.start({ roomMaxBytesOutPerSec: 200_000 });
    const sender = await relay.member('slow', 'ws', { roomBytesPerSec: undefined });
    const receiver = await relay.member('slow', 'ws', { roomBytesPerSec: undefined });
    expect(sender.room.fileBytesPerSec).toBe(100_000);
    await othersPresent(sender, 1);
    const data = pattern(200_000, 5);
    const incoming = nextFile(receiver);
    const started = performance.now();
    const out = sender.files.sendFile(data, { name: 'paced.bin' });
    const file = await incoming;
    expect(same(await file.done, data)).toBe(true);
    await out.done;
    // 200 000 bytes (plus headers) to one recipient at 100 000 B/s, after a burst of a tenth of a
    // second: at least 1.9 s; at the connection budget alone it would take about 1 s. A lower
    // bound only: a busy machine makes it slower, never faster.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1800);
    expect([...sender.errors, ...receiver.errors]).toEqual([]);
  });
});
