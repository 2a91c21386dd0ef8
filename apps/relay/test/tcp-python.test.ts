// The Python example (examples/python/roomcast_tcp.py, standard library only, written from
// PROTOCOL.md) against the real relay: it joins over TCP, its reliable, droppable and latest
// frames reach a WebSocket member, it prints what the WebSocket member sends with the class
// first, it reports the shutdown close frame, and --seconds ends a run cleanly.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DeliveryClass, encodeData, type ServerFrame } from '@roomcast/protocol';
import { encodeCursor } from '@roomcast/client';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnLines, type LineProcess } from './python-process.js';
import { hex, useTcpRelay } from './tcp-helpers.js';

const SCRIPT = fileURLToPath(new URL('../../../examples/python/roomcast_tcp.py', import.meta.url));
const relay = useTcpRelay();
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Spawns the example; killed after the test. */
function runExample(args: string[]): LineProcess {
  const py = spawnLines('python3', [SCRIPT, ...args]);
  children.push(py.child);
  return py;
}

type Deliver = Extract<ServerFrame, { kind: 'deliver' }>;
type Batch = Extract<ServerFrame, { kind: 'batch' }>;

describe('python example over TCP', () => {
  it('sends and prints each delivery class, told apart, and reports the relay\'s close', { timeout: 20_000 }, async () => {
    const server = await relay.start();
    const ws = await relay.wsOpen();
    const { handle, self } = await ws.join('lobby', { name: 'Wes' });
    const py = runExample(['127.0.0.1', String(relay.tcpPort), 'lobby', 'Py', '--send=cafe00ff', '--send-droppable', '0b0c', '--send-latest', '0d0e']);

    const joined = ws.nextMessage('member_joined');
    expect(await py.line((l) => l.startsWith('joined'))).toMatch(new RegExp(`^joined lobby as member \\d+ \\(handle ${handle}\\); members: ${self}, \\d+$`));
    const pyMember = (await joined).member;
    expect(pyMember.presence).toEqual({ name: 'Py' });

    // What the Python client sent, one frame per class.
    const reliable = (await ws.next((f) => f.kind === 'deliver' && f.cls === DeliveryClass.Reliable)) as Deliver;
    expect({ sender: reliable.sender, payload: hex(reliable.payload) }).toEqual({ sender: pyMember.id, payload: 'cafe00ff' });
    const droppable = (await ws.next((f) => f.kind === 'deliver' && f.cls === DeliveryClass.Droppable)) as Deliver;
    expect({ sender: droppable.sender, payload: hex(droppable.payload) }).toEqual({ sender: pyMember.id, payload: '0b0c' });
    const batch = (await ws.next((f) => f.kind === 'batch' && f.entries.some((e) => e.sender === pyMember.id))) as Batch;
    expect(batch.entries.filter((e) => e.sender === pyMember.id).map((e) => ({ key: e.key, payload: hex(e.payload) }))).toEqual([{ key: 0, payload: '0d0e' }]);

    // What the WebSocket member sends, printed with its class first.
    ws.sendData(handle, Uint8Array.of(1, 2, 3));
    expect(await py.line((l) => l.startsWith('reliable'))).toBe(`reliable from ${self}: 010203`);
    ws.sendData(handle, Uint8Array.of(0xff), pyMember.id);
    expect(await py.line((l) => l.includes('(direct)'))).toBe(`reliable from ${self} (direct): ff`);
    ws.sendFrame(encodeData({ room: handle, cls: DeliveryClass.Droppable }, Uint8Array.of(0x0a, 0x0b)));
    expect(await py.line((l) => l.startsWith('droppable'))).toBe(`droppable from ${self}: 0a0b`);
    // latest values arrive in batch frames (PROTOCOL.md 4.4); an empty value clears the key.
    ws.sendFrame(encodeData({ room: handle, cls: DeliveryClass.Latest, key: 0 }, encodeCursor(0.25, 0.5)));
    expect(await py.line((l) => l.startsWith('latest'))).toBe(`latest ${self}/key 0: ${hex(encodeCursor(0.25, 0.5))}`);
    ws.sendFrame(encodeData({ room: handle, cls: DeliveryClass.Latest, key: 0 }, new Uint8Array(0)));
    expect(await py.line((l) => l.endsWith('cleared'))).toBe(`latest ${self}/key 0: cleared`);

    await server.close();
    expect(await py.line((l) => l.startsWith('closed'))).toBe('closed: 1001 relay shutting down');
    expect(await py.exited).toEqual({ code: 0, stderr: '' });
  });

  it('--seconds: gets the snapshot, leaves after N seconds, closes and exits 0', { timeout: 20_000 }, async () => {
    await relay.start();
    const ws = await relay.wsOpen();
    const { handle, self } = await ws.join('lobby', { name: 'Wes' });
    // A latest value set before the Python client joins reaches it in the join snapshot.
    ws.sendFrame(encodeData({ room: handle, cls: DeliveryClass.Latest, key: 0 }, Uint8Array.of(0x42)));
    await ws.request({ type: 'ping' }, 'pong'); // the relay has the value (frames of one socket in order)
    const py = runExample(['127.0.0.1', String(relay.tcpPort), 'lobby', 'Py', '--seconds', '1']);

    const member = (await ws.nextMessage('member_joined')).member;
    expect(await ws.nextMessage('member_left')).toMatchObject({ room: handle, member: member.id });
    expect(await py.exited).toEqual({ code: 0, stderr: '' });
    expect(py.lines).toEqual([
      `joined lobby as member ${member.id} (handle 1); members: ${self}, ${member.id}`,
      `latest ${self}/key 0 (snapshot): 42`,
      'left lobby',
      'closed: 1000 normal closure (after 1 s)',
    ]);
  });
});
