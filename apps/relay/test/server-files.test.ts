// A file from the backend (@roomcast/server `api.sendFile`, over the server API's publish) reaching
// SDK members (`@roomcast/client/files`) on the real relay, byte-identical, from sender 0: empty,
// one byte, several chunks, a few MB to two members (WebSocket and TCP) at the default budgets
// without a single 429, one member alone (`to`), a member that leaves, and a cancel.
import { SERVER_SENDER_ID } from '@roomcast/client';
import { RoomcastApi } from '@roomcast/server';
import { describe, expect, it } from 'vitest';
import { nextFile, pattern, same, useFileRelay, type FileMember } from './files-helpers.js';
import { httpGet } from './helpers.js';

const KEY = 'key-one-0123456789abcdefghij';
const relay = useFileRelay({ apiKeys: [KEY] });
/** 16384 − 17: the data of one chunk at the default RELAY_MAX_PAYLOAD_BYTES. */
const CHUNK = 16_367;

function api(): RoomcastApi {
  return new RoomcastApi({ url: relay.server().httpUrl, key: KEY, rateLimitRetries: 0 });
}

/** The next complete file `m` receives, with its bytes. */
function nextEnd(m: FileMember): Promise<{ sender: number; name: string; type: string; direct: boolean; bytes: Uint8Array }> {
  return new Promise((resolve) => {
    const off = m.files.on('file_end', ({ file, bytes }) => {
      off();
      resolve({ sender: file.sender, name: file.name, type: file.type, direct: file.direct, bytes });
    });
  });
}

async function apiLimitHits(): Promise<number> {
  const line = (await httpGet(relay.server(), '/metrics')).body.split('\n').find((l) => l.startsWith('roomcast_limit_hits_total{limit="api_requests"}'));
  return Number(line?.split(' ')[1]);
}

describe('@roomcast/server sendFile', () => {
  it('sends 0 bytes, 1 byte and several chunks (not a multiple of the chunk size) byte-identical, from sender 0', async () => {
    await relay.start();
    const m = await relay.member('map');
    for (const size of [0, 1, CHUNK, 3 * CHUNK + 5]) {
      const data = pattern(size, size + 1);
      const end = nextEnd(m);
      const sent = await api().sendFile('map', data, { name: `level-${size}.bin`, type: 'application/x-map' });
      expect(sent).toMatchObject({ size, recipients: 1, complete: true });
      const got = await end;
      expect(got).toMatchObject({ sender: SERVER_SENDER_ID, name: `level-${size}.bin`, type: 'application/x-map', direct: false });
      expect(same(got.bytes, data)).toBe(true);
    }
    // File messages never reach the application as ordinary messages.
    expect(m.messages).toEqual([]);
  });

  it('sends a few MB to a WebSocket and a TCP member at the default budgets without a 429 or a rate_limited', async () => {
    await relay.start();
    const ws = await relay.member('replay', 'ws');
    const tcp = await relay.member('replay', 'tcp');
    const data = pattern(3 * 1024 * 1024 + 123, 7);
    const ends = [nextEnd(ws), nextEnd(tcp)];
    const progress: number[] = [];
    const sent = await api().sendFile('replay', data, { name: 'match.replay', onProgress: (n) => progress.push(n) });
    expect(sent).toMatchObject({ size: data.length, recipients: 2, complete: true });
    for (const got of await Promise.all(ends)) expect(same(got.bytes, data)).toBe(true);
    expect(progress.length).toBe(Math.ceil(data.length / CHUNK));
    expect(progress.at(-1)).toBe(data.length);
    expect(await apiLimitHits()).toBe(0);
    expect([...ws.errors, ...tcp.errors]).toEqual([]);
  });

  it('chunks and paces by the relay\'s own limits (GET /api/v1/limits): a smaller RELAY_MAX_PAYLOAD_BYTES', async () => {
    await relay.start({ maxPayloadBytes: 4096, roomMaxBytesOutPerSec: 1_000_000 });
    expect(await api().getLimits()).toEqual({ maxPayloadBytes: 4096, fileBytesPerSec: 500_000, apiRatePerSec: 200, apiBurst: 400 });
    const m = await relay.member('small');
    const data = pattern(10_000, 9);
    const end = nextEnd(m);
    const progress: number[] = [];
    // With the default 16 384-byte chunks every publish would be refused (413 payload_too_large).
    await api().sendFile('small', data, { name: 'small.bin', onProgress: (n) => progress.push(n) });
    expect(progress).toEqual([4079, 8158, 10_000]);
    expect(same((await end).bytes, data)).toBe(true);
  });

  it('sends to one member alone with `to` (direct), the other gets nothing', async () => {
    await relay.start();
    const a = await relay.member('duel');
    const b = await relay.member('duel');
    const bStarts: string[] = [];
    b.files.on('file_start', (f) => { bStarts.push(f.name); });
    const end = nextEnd(a);
    const data = pattern(2 * CHUNK, 3);
    expect(await api().sendFile('duel', data, { name: 'secret.bin', to: a.room.self })).toMatchObject({ recipients: 1, complete: true });
    const got = await end;
    expect(got.direct).toBe(true);
    expect(same(got.bytes, data)).toBe(true);
    // A later broadcast reaches b: had b seen the direct transfer, its file_start would have come first.
    const bEnd = nextEnd(b);
    await api().sendFile('duel', pattern(1), { name: 'marker' });
    expect((await bEnd).name).toBe('marker');
    expect(bStarts).toEqual(['marker']);
  });

  it('stops when the only recipient leaves (complete: false), and a cancel reaches the members', async () => {
    await relay.start();
    const a = await relay.member('r');
    const started = nextFile(a);
    const controller = new AbortController();
    const sending = api().sendFile('r', pattern(40 * CHUNK), {
      name: 'big', requestsPerSec: 20, signal: controller.signal,
      onProgress: (n) => { if (n >= 2 * CHUNK) controller.abort(new Error('match over')); },
    });
    const file = await started;
    await expect(sending).rejects.toThrow('match over');
    await expect(file.done).rejects.toMatchObject({ reason: 'remote_cancelled' });

    const b = await relay.member('r');
    const leaving = nextFile(b).then(() => b.client.close());
    const result = await api().sendFile('r', pattern(40 * CHUNK), { name: 'big', to: b.room.self, requestsPerSec: 20 });
    await leaving;
    expect(result).toMatchObject({ recipients: 0, complete: false });
  });
});
