// @roomcast/server against the real relay: a token it mints is accepted, its API client makes
// every call and surfaces errors with their codes, and verifyWebhook accepts the relay's real
// webhook requests (received by a Node http server on 127.0.0.1:0) and refuses altered ones.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RoomDetail, RoomPage } from '@roomcast/protocol/server-api';
import { RoomcastApi, RoomcastApiError, mintToken, verifyWebhook, type RoomcastEvent } from '@roomcast/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { SECRET } from './auth/tokens.js';
import { RawClient, startTestRelay } from './helpers.js';
import { WEBHOOK_SECRET } from './webhook-receiver.js';

const KEY = 'key-one-0123456789abcdefghij';

let relay: RelayServer | undefined;
let receiver: Server | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await relay?.close();
  receiver?.closeAllConnections();
  receiver?.close();
  relay = undefined;
  receiver = undefined;
});

async function open(url: string, token: string): Promise<RawClient> {
  const c = await RawClient.connect(url);
  clients.push(c);
  await c.request({ type: 'hello', v: 2, client: 'test', token }, 'welcome');
  return c;
}

const catchError = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err as RoomcastApiError);

describe('@roomcast/server', () => {
  it('mints tokens the relay accepts and steers rooms through the typed API client', async () => {
    relay = await startTestRelay({ jwtSecret: SECRET, apiKeys: [KEY] });
    const key = { secret: SECRET };
    const ada = await open(relay.wsUrl, await mintToken(key, { userId: 'ada', rooms: ['match:*'], info: { name: 'Ada' } }));
    const bob = await open(relay.wsUrl, await mintToken(key, { userId: 'bob', rooms: { 'match:1': ['join', 'send'] }, expiresIn: 60 }));
    const { handle } = await ada.join('match:1');
    await bob.join('match:1');
    await ada.join('match:2');
    // A room outside the token's rooms is refused: the claims were written as the relay reads them.
    ada.sendControl({ type: 'join', id: 99, room: 'lobby' });
    expect(await ada.nextError('forbidden')).toMatchObject({ id: 99 });

    const api = new RoomcastApi({ url: `${relay.httpUrl}/`, key: KEY });
    expect(await api.createRoom('match:0', { settings: { locked: true } })).toMatchObject({ name: 'match:0', members: 0, settings: { locked: true } });
    expect(await catchError(api.createRoom('match:0'))).toMatchObject({ status: 409, code: 'room_exists' });
    expect(await api.closeRoom('match:0')).toBe(0);
    const settings = { capacity: 256, locked: false, private: false, metadata: null };
    expect(await api.listRooms({ prefix: 'match:', limit: 1 })).toEqual({ rooms: [{ name: 'match:1', members: 2, tickHz: 30, settings, host: 1 }], next: 'match:1' });
    // The answers are exactly the shared schemas' shapes (one source: @roomcast/protocol/server-api):
    // parsing keeps every field (z.object drops unknown ones) and changes nothing.
    const page = await api.listRooms({ prefix: 'match:', limit: 1 });
    expect(RoomPage.parse(page)).toEqual(page);
    const detail = await api.getRoom('match:1');
    expect(RoomDetail.parse(detail)).toEqual(detail);
    const all: string[] = [];
    for await (const room of api.allRooms({ pageSize: 1 })) all.push(room.name);
    expect(all).toEqual(['match:1', 'match:2']);
    expect(await api.getRoom('match:1')).toEqual({
      name: 'match:1', members: 2, tickHz: 30, settings, host: 1,
      memberList: [{ id: 1, userId: 'ada', info: { name: 'Ada' }, presence: null }, { id: 2, userId: 'bob', presence: null }],
    });
    expect(await api.updateSettings('match:1', { locked: true, metadata: { map: 'dust' } })).toEqual({ ...settings, locked: true, metadata: { map: 'dust' } });
    expect(await ada.nextMessage('room_settings')).toMatchObject({ settings: { locked: true, metadata: { map: 'dust' } } });
    expect((await api.listRooms({ includePrivate: true })).rooms).toHaveLength(2);
    expect(await api.publish('match:1', new Uint8Array([7]), { to: 2 })).toBe(1);
    expect(await bob.nextDeliver()).toMatchObject({ room: handle, sender: 0, direct: true });
    await ada.join('match:3');
    expect(await api.removeMember('match:3', 1, 'bye')).toBeUndefined();
    expect(await ada.nextMessage('removed')).toMatchObject({ reason: 'bye' });
    expect(await api.closeRoom('match:2', 'done')).toBe(1);
    expect(await ada.nextMessage('room_closed')).toMatchObject({ reason: 'done' });
    expect(await api.kickMember('match:1', 2, 'afk')).toBeUndefined();
    expect(await bob.closed).toEqual({ code: 4403, reason: 'afk' });
    expect(await api.disconnectUser('ada', 'match over')).toBe(1);
    expect(await ada.closed).toEqual({ code: 4403, reason: 'match over' });

    const missing = await catchError(api.getRoom('match:1'));
    expect(missing).toBeInstanceOf(RoomcastApiError);
    expect(missing).toMatchObject({ status: 404, code: 'room_not_found' });
    expect(await catchError(new RoomcastApi({ url: relay.httpUrl, key: 'wrong' }).listRooms())).toMatchObject({ status: 401, code: 'unauthorized' });
    // A port nothing listens on: bound, noted, closed.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    expect(await catchError(new RoomcastApi({ url: `http://127.0.0.1:${closedPort}`, key: KEY, timeoutMs: 2000 }).listRooms())).toMatchObject({ status: 0, code: 'network' });
  });

  it('verifies the relay\'s webhook requests in a Node http server and refuses altered ones', async () => {
    const received: RoomcastEvent[] = [];
    const refused: string[] = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        try {
          received.push(...verifyWebhook(WEBHOOK_SECRET, body, req.headers).events);
          // The same request altered, and with a Fetch Headers object, is refused.
          try {
            verifyWebhook(WEBHOOK_SECRET, body.toString().replace('"room"', '"rooms"'), new Headers(req.headers as Record<string, string>));
          } catch (err) {
            refused.push((err as Error).name);
          }
          res.writeHead(204).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    relay = await startTestRelay({ webhookUrl: url, webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 10 });
    const c = await RawClient.open(relay.wsUrl);
    clients.push(c);
    await c.join('r');
    for (let i = 0; i < 300 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received.map((e) => e.type)).toEqual(['room.created', 'member.joined']);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['WebhookVerificationError']));
  });
});
