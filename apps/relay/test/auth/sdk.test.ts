// The client SDK's getToken flow against the real relay (WebSocket and TCP): the token gets a
// user into its rooms with its user id visible to the others, an in-band refresh keeps the
// connection past the first token's expiry, a 4440 expiry close reconnects with a new token and
// rejoins, a bad token stops with unauthorized. Tokens are minted with jose on the real clock.
import { RoomcastClient, type ClientOptions, type Room, type RoomMember } from '@roomcast/client';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayServer } from '../../src/index.js';
import { FakeClock } from '../fakes.js';
import { startTestRelay } from '../helpers.js';
import { SECRET, hmacKey } from './tokens.js';

let servers: RelayServer[] = [];
const clients: RoomcastClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers) await s.close();
  servers = [];
});

async function relay(overrides: Parameters<typeof startTestRelay>[0] = {}, clock?: FakeClock): Promise<RelayServer> {
  const server = await startTestRelay({ jwtSecret: SECRET, ...overrides }, clock);
  servers.push(server);
  return server;
}

/** A backend's mint: `lifetimeSec` from now on the real clock. */
function mint(sub: string, lifetimeSec: number, claims: Record<string, unknown> = { rooms: ['game:*'] }): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub)
    .setExpirationTime(Math.floor(Date.now() / 1000) + lifetimeSec).sign(hmacKey());
}

function client(url: string, options: ClientOptions): RoomcastClient {
  const c = new RoomcastClient(url, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...options });
  clients.push(c);
  return c;
}

function nextJoin(room: Room): Promise<RoomMember> {
  return new Promise((resolve) => {
    const off = room.on('member_joined', (m) => { off(); resolve(m); });
  });
}

describe.each(['ws', 'tcp'] as const)('SDK getToken over %s', (transport) => {
  const url = (s: RelayServer) => (transport === 'ws' ? s.wsUrl : s.tcpUrl!);

  it('joins with a token; the others see its verified userId and info', async () => {
    const server = await relay();
    const ada = client(url(server), { getToken: () => mint('ada', 600, { rooms: ['game:*'], info: { name: 'Ada L.' } }) });
    const bob = client(url(server), { getToken: () => mint('bob', 600) });
    await ada.connect();
    await bob.connect();
    expect(ada.userId).toBe('ada');
    const room = await bob.join('game:1', { name: 'Bob' });
    const joined = nextJoin(room);
    await ada.join('game:1', { name: 'not really bob' });
    expect(await joined).toStrictEqual({ id: 2, presence: { name: 'not really bob' }, userId: 'ada', info: { name: 'Ada L.' } });
    await expect(bob.join('vip')).rejects.toMatchObject({ code: 'forbidden' });
    expect(bob.status).toBe('open');
  });

  it('refreshes in-band: the connection outlives its first token', { timeout: 15_000 }, async () => {
    // Tolerance 1 s: the relay closes at exp + 1 s. Tokens live 2-3 s; the SDK refreshes each after ~1 s.
    const server = await relay({ jwtClockToleranceSec: 1 });
    const first = Math.floor(Date.now() / 1000) + 3;
    const firstClose = (first + 1) * 1000; // when the relay would close the first connection
    let passed!: () => void;
    const pastFirstExpiry = new Promise<void>((resolve) => { passed = resolve; });
    const ada = client(url(server), {
      getToken: () => {
        // A refresh asked for after the first token's close time: the connection outlived it.
        if (Date.now() > firstClose + 100) passed();
        return mint('ada', 3);
      },
    });
    const events: string[] = [];
    ada.on('close', () => events.push('close'));
    ada.on('reconnected', () => events.push('reconnected'));
    await ada.connect();
    const session = ada.session;
    await ada.join('game:1');
    await pastFirstExpiry; // refreshes come every ~1 s: within ~5 s
    expect(await ada.ping()).toBeGreaterThanOrEqual(0);
    expect(ada.session).toBe(session);
    expect(events).toStrictEqual([]);
    expect(server.relay.stats.refreshes.ok).toBeGreaterThanOrEqual(2);
    expect(server.relay.stats.closes.token_expired).toBeUndefined();
  });

  it('reconnects after 4440 with a fresh token from getToken and rejoins its rooms', async () => {
    const clock = new FakeClock();
    const server = await relay({ idleTimeoutSec: 0 }, clock);
    let calls = 0;
    const ada = client(url(server), { getToken: () => { calls++; return mint('ada', 3600); } });
    await ada.connect();
    const room = await ada.join('game:7');
    const reconnected = new Promise<void>((resolve) => ada.once('reconnected', () => resolve()));
    const resynced = new Promise<void>((resolve) => room.once('resync', () => resolve()));
    clock.advance(3_606_000); // the relay's clock passes exp + 5 s: close 4440
    await reconnected;
    await resynced;
    expect(calls).toBe(2);
    expect(server.relay.stats.closes.token_expired).toBe(1);
    expect(server.relay.rooms.get('game:7')?.size).toBe(1);
    expect(ada.status).toBe('open');
  });

  it('a token the relay refuses stops the client with unauthorized (no retry)', async () => {
    const server = await relay();
    let calls = 0;
    const eve = client(url(server), { getToken: () => { calls++; return 'forged.token.value'; } });
    await expect(eve.connect({ retry: true })).rejects.toMatchObject({ code: 'unauthorized' });
    expect(eve.status).toBe('closed');
    expect(calls).toBe(1);
    const anon = client(url(server), {});
    await expect(anon.connect()).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
