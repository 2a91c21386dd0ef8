// The Python example (examples/python/roomcast_tcp.py, standard library only, written from
// PROTOCOL.md) against the real relay: it joins over TCP, its frame reaches a WebSocket member,
// it prints what the WebSocket member sends, and it reports the shutdown close frame.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DeliveryClass, encodeData } from '@roomcast/protocol';
import { encodeCursor } from '@roomcast/client';
import { afterEach, describe, expect, it } from 'vitest';
import { hex, useTcpRelay } from './tcp-helpers.js';

const SCRIPT = fileURLToPath(new URL('../../../examples/python/roomcast_tcp.py', import.meta.url));
const relay = useTcpRelay();
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Spawns the example; `line(pred)` resolves with the first stdout line (past or future) matching. */
function runExample(args: string[]) {
  const child = spawn('python3', [SCRIPT, ...args]);
  children.push(child);
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let partial = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.splice(0)) (w.pred(l) ? w.resolve(l) : waiters.push(w));
    }
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return {
    line(pred: (l: string) => boolean): Promise<string> {
      const found = lines.find(pred);
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    exited,
  };
}

describe('python example over TCP', () => {
  it('joins, sends, prints what a WebSocket member sends, and reports the close', { timeout: 20_000 }, async () => {
    const server = await relay.start();
    const ws = await relay.wsOpen();
    const { handle, self } = await ws.join('lobby', { name: 'Wes' });
    const py = runExample(['127.0.0.1', String(relay.tcpPort), 'lobby', 'Py', '--send=cafe00ff']);

    const joined = ws.nextMessage('member_joined');
    expect(await py.line((l) => l.startsWith('joined'))).toMatch(new RegExp(`^joined lobby as member \\d+ \\(handle ${handle}\\); members: ${self}, \\d+$`));
    const pyMember = (await joined).member;
    expect(pyMember.presence).toEqual({ name: 'Py' });
    const fromPy = await ws.nextDeliver();
    expect({ sender: fromPy.sender, payload: hex(fromPy.payload) }).toEqual({ sender: pyMember.id, payload: 'cafe00ff' });

    ws.sendData(handle, Uint8Array.of(1, 2, 3));
    expect(await py.line((l) => l.startsWith('message'))).toBe(`message from ${self}: 010203`);
    ws.sendData(handle, Uint8Array.of(0xff), pyMember.id);
    expect(await py.line((l) => l.includes('(direct)'))).toBe(`message from ${self} (direct): ff`);
    // latest values arrive in batch frames (PROTOCOL.md 4.4); an empty value clears the key.
    ws.sendFrame(encodeData({ room: handle, cls: DeliveryClass.Latest, key: 0 }, encodeCursor(0.25, 0.5)));
    expect(await py.line((l) => l.startsWith('latest'))).toBe(`latest from ${self} key 0: ${hex(encodeCursor(0.25, 0.5))}`);
    ws.sendFrame(encodeData({ room: handle, cls: DeliveryClass.Latest, key: 0 }, new Uint8Array(0)));
    expect(await py.line((l) => l.endsWith('cleared'))).toBe(`latest from ${self} key 0: cleared`);

    await server.close();
    expect(await py.line((l) => l.startsWith('closed'))).toBe('closed: 1001 relay shutting down');
    expect(await py.exited).toEqual({ code: 0, stderr: '' });
  });
});
