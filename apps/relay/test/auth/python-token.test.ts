// The Python example with ROOMCAST_TOKEN: its hello is a v2 hello carrying the token (read off a
// real TCP socket and decoded with the protocol package), and it prints the verified user ids a
// v2 relay sends: first against a scripted node:net server speaking PROTOCOL.md appendix A, then
// against the real relay with tokens enforced (its user id reaches a WebSocket member; a bad
// token ends it with 4401).
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  FrameStreamReader, decodeClientFrame, encodeControl, lengthPrefixed, type ClientMessage, type ServerMessage,
} from '@roomcast/protocol';
import { afterEach, expect, it } from 'vitest';
import { useAuthRelays } from './harness.js';
import { SECRET, hmacKey, sign } from './tokens.js';

const relays = useAuthRelays();

const SCRIPT = fileURLToPath(new URL('../../../../examples/python/roomcast_tcp.py', import.meta.url));
const LIMITS = {
  maxPayloadBytes: 16384, maxControlBytes: 4096, maxRoomsPerConnection: 16, maxMembersPerRoom: 256, maxPresenceBytes: 512,
  maxMessagesPerSec: 200, idleTimeoutSec: 32, burstMessages: 400, maxBytesPerSec: 262144, maxKeysPerMember: 16,
  tickHz: 30, minTickHz: 1, maxTickHz: 60,
};

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Accepts one connection; `next()` resolves with the next control message the client sends. */
async function scriptedRelay() {
  const received: ClientMessage[] = [];
  const waiters: ((m: ClientMessage) => void)[] = [];
  let socket!: Socket;
  const connected = new Promise<void>((resolve) => {
    server = createServer((s) => {
      socket = s;
      const reader = new FrameStreamReader(65536);
      s.on('data', (chunk) => reader.push(chunk, (frame) => {
        const d = decodeClientFrame(frame);
        if (!d.ok || d.frame.kind !== 'control') throw new Error(`unexpected frame ${Buffer.from(frame).toString('hex')}`);
        const w = waiters.shift();
        if (w) w(d.frame.message);
        else received.push(d.frame.message);
      }));
      resolve();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return {
    port: (server!.address() as AddressInfo).port,
    connected,
    next: () => new Promise<ClientMessage>((resolve) => {
      const m = received.shift();
      if (m) resolve(m);
      else waiters.push(resolve);
    }),
    send: (m: ServerMessage) => socket.write(lengthPrefixed(encodeControl(m))),
    end: () => socket.end(),
  };
}

function run(port: number, env: Record<string, string>) {
  const child = spawn('python3', [SCRIPT, '127.0.0.1', String(port), 'game:7', 'Py'], { env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
  return { child, exited };
}

it('sends the token in a v2 hello and prints the user ids the relay vouches for', { timeout: 20_000 }, async () => {
  const relay = await scriptedRelay();
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl';
  const py = run(relay.port, { ROOMCAST_TOKEN: token });
  await relay.connected;
  const hello = await relay.next();
  expect(hello).toStrictEqual({ type: 'hello', id: 1, v: 2, client: 'roomcast-python/0.2', token });

  relay.send({ type: 'welcome', id: 1, v: 2, session: 's1', limits: LIMITS, userId: 'ada', expiresInSec: 900 });
  const join = await relay.next();
  expect(join).toStrictEqual({ type: 'join', id: 2, room: 'game:7', presence: { name: 'Py' } });
  relay.send({
    type: 'joined', id: 2, room: 'game:7', handle: 1, self: 2, tickHz: 30,
    members: [{ id: 1, presence: null, userId: 'server' }, { id: 2, presence: { name: 'Py' }, userId: 'ada' }],
  });
  relay.send({ type: 'member_joined', room: 1, member: { id: 3, presence: { name: 'Bob' }, userId: 'bob', info: { team: 'red' } } });
  relay.send({ type: 'close', code: 4440, reason: 'token expired' });
  relay.end();

  const { code, out, err } = await py.exited;
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out.trim().split('\n')).toStrictEqual([
    'welcomed as user ada; token expires in 900 s',
    'joined game:7 as member 2 (handle 1); members: 1, 2',
    'member 3 joined as user bob: {"name": "Bob"}',
    'closed: 4440 token expired',
  ]);
});

it('without ROOMCAST_TOKEN the hello is the v1 hello it always was', { timeout: 20_000 }, async () => {
  const relay = await scriptedRelay();
  const py = run(relay.port, { ROOMCAST_TOKEN: '' });
  await relay.connected;
  expect(await relay.next()).toStrictEqual({ type: 'hello', id: 1, v: 1, client: 'roomcast-python/0.2' });
  relay.end();
  expect((await py.exited).out).toBe('closed: connection ended without a close frame\n');
});

it('against the real relay: its verified user id reaches the room; a bad token ends with 4401', { timeout: 20_000 }, async () => {
  const server = await relays.start({ RELAY_JWT_SECRET: SECRET });
  const ws = await relays.welcomed(server, 'ws', await sign(hmacKey(), 'HS256', { sub: 'wes', rooms: ['game:*'] }));
  await ws.join('game:7');
  const token = await sign(hmacKey(), 'HS256', { sub: 'py-user', rooms: ['game:*'], info: { lang: 'python' } });
  const py = run(server.tcpPort!, { ROOMCAST_TOKEN: token });
  const joined = await ws.nextMessage('member_joined');
  expect(joined.member).toMatchObject({ presence: { name: 'Py' }, userId: 'py-user', info: { lang: 'python' } });
  await server.close();
  const { out, err } = await py.exited;
  expect(err).toBe('');
  expect(out).toContain('welcomed as user py-user; token expires in 3600 s');
  expect(out).not.toContain(token);

  const strict = await relays.start({ RELAY_JWT_SECRET: SECRET });
  const bad = await run(strict.tcpPort!, { ROOMCAST_TOKEN: `${token.slice(0, -3)}xyz` }).exited;
  expect(bad.out).toContain('closed: 4401');
});
