// The Python file receiver (examples/python/receive_file.py, standard library, written from
// PROTOCOL.md appendix B) against the real relay and an SDK sender: it saves files byte-identical
// (empty ones too), drops a file the sender cancels, and declines one above --max-bytes; files
// from the server (@roomcast/server sendFile, sender 0) too, where a decline sends nothing.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RoomcastApi } from '@roomcast/server';
import { afterEach, describe, expect, it } from 'vitest';
import { othersPresent, pattern, reason, useFileRelay } from './files-helpers.js';
import { spawnLines, type LineProcess } from './python-process.js';

const SCRIPT = fileURLToPath(new URL('../../../examples/python/receive_file.py', import.meta.url));
// 4 MiB/s per connection: a 4 MiB file takes over a second, long enough to cancel it midway.
const KEY = 'key-one-0123456789abcdefghij';
const relay = useFileRelay({ maxBytesPerSec: 4 * 1024 ** 2, maxMessagesPerSec: 10_000, burstMessages: 10_000, apiKeys: [KEY] });
const cleanups: (() => void)[] = [];
afterEach(() => { for (const c of cleanups.splice(0)) c(); });

function run(args: string[]): LineProcess {
  const py = spawnLines('python3', [SCRIPT, ...args]);
  cleanups.push(() => { if (py.child.exitCode === null) py.child.kill('SIGKILL'); });
  return py;
}

describe('python file receiver over TCP', () => {
  it('saves files byte-identical, drops a cancelled one, declines one above --max-bytes', { timeout: 60_000 }, async () => {
    const server = await relay.start();
    const outdir = mkdtempSync(join(tmpdir(), 'roomcast-py-files-'));
    cleanups.push(() => rmSync(outdir, { recursive: true, force: true }));
    const sender = await relay.member('py-files');
    const py = run(['127.0.0.1', new URL(server.tcpUrl!).port, 'py-files', outdir, '--count', '2', '--max-bytes', '5000000']);
    expect(await py.line((l) => l.startsWith('joined'))).toMatch(/^joined py-files as member \d+$/);
    await othersPresent(sender, 1);

    const photo = pattern(300_001, 41);
    const sha = createHash('sha256').update(photo).digest('hex');
    const a = sender.files.sendFile(photo, { name: '../photo.png', type: 'image/png' });
    await a.done;
    expect(await py.line((l) => l.startsWith('saved photo.png'))).toBe(`saved photo.png: 300001 bytes, sha256 ${sha}`);
    expect(py.lines).toContain(`file ${a.id} from ${sender.room.self}: "../photo.png" image/png, 300001 bytes`);
    expect(py.lines.filter((l) => l.startsWith(`file ${a.id} from`) && l.endsWith('%'))).toEqual(['25%', '50%', '75%'].map((p) => `file ${a.id} from ${sender.room.self}: ${p}`));
    expect(createHash('sha256').update(readFileSync(join(outdir, 'photo.png'))).digest('hex')).toBe(sha);

    // Cancelled by the sender midway: the partial file is removed.
    const big = sender.files.sendFile(pattern(4 * 1024 * 1024, 42), { name: 'big.bin' });
    await py.line((l) => l === `file ${big.id} from ${sender.room.self}: 25%`);
    big.cancel();
    expect(await py.line((l) => l.startsWith(`file ${big.id} from`) && l.includes('cancelled'))).toBe(`file ${big.id} from ${sender.room.self}: cancelled by the sender`);

    // Above --max-bytes: declined with a cancel sent back, so the sender stops.
    const huge = sender.files.sendFile(pattern(6_000_000, 43), { name: 'huge.bin' });
    expect(await reason(huge.done)).toBe('declined');
    expect(huge.sent).toBeLessThan(6_000_000);
    expect(py.lines).toContain(`file ${huge.id} from ${sender.room.self}: declined (6000000 bytes is above --max-bytes 5000000)`);

    // An empty file is the second saved file: the script exits 0.
    sender.files.sendFile(new Uint8Array(0), { name: 'empty.txt', type: 'text/plain' });
    expect(await py.exited).toEqual({ code: 0, stderr: '' });
    expect(py.lines.at(-1)).toBe(`saved empty.txt: 0 bytes, sha256 ${createHash('sha256').digest('hex')}`);
    expect(readdirSync(outdir).sort()).toEqual(['empty.txt', 'photo.png']);
    expect(existsSync(join(outdir, 'big.bin.part'))).toBe(false);
    expect(sender.errors).toEqual([]);
  });

  it('saves a file from the server (sender 0); a file it declines sends nothing to member 0', { timeout: 60_000 }, async () => {
    const server = await relay.start();
    const outdir = mkdtempSync(join(tmpdir(), 'roomcast-py-files-'));
    cleanups.push(() => rmSync(outdir, { recursive: true, force: true }));
    const py = run(['127.0.0.1', new URL(server.tcpUrl!).port, 'py-server', outdir, '--count', '1', '--max-bytes', '100000']);
    await py.line((l) => l.startsWith('joined'));
    const api = new RoomcastApi({ url: server.httpUrl, key: KEY });
    // Declined (above --max-bytes): the receiver drops it; a decline to member 0 would be a bad frame.
    await api.sendFile('py-server', pattern(200_000, 44), { name: 'too-big.bin' });
    const map = pattern(50_000, 45);
    const sha = createHash('sha256').update(map).digest('hex');
    expect(await api.sendFile('py-server', map, { name: 'map.bin', type: 'application/x-map' })).toMatchObject({ recipients: 1, complete: true });
    expect(await py.exited).toEqual({ code: 0, stderr: '' });
    expect(py.lines.at(-1)).toBe(`saved map.bin: 50000 bytes, sha256 ${sha}`);
    expect(py.lines.some((l) => /^file \d+ from 0: declined \(200000 bytes is above --max-bytes 100000\)$/.test(l))).toBe(true);
    expect(readdirSync(outdir)).toEqual(['map.bin']);
    // The relay saw no malformed frame from the receiver.
    expect(server.relay.stats.errors.bad_frame).toBe(0);
  });
});
