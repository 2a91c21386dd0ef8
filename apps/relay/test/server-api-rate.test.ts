// The server API's per-key rate limit against the real relay (time on a fake clock): the burst,
// then 429 rate_limited with Retry-After and retryAfterMs, a bucket per key, refill over time, the
// limit_hits counter; no limit with RELAY_API_RATE_PER_SEC=0.
import { RoomcastApi, RoomcastApiError } from '@roomcast/server';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './fakes.js';
import { httpGet, useRelay } from './helpers.js';

const KEY = 'key-one-0123456789abcdefghij';
const OTHER_KEY = 'key-two-0123456789abcdefghij';
const relay = useRelay({ apiKeys: [KEY, OTHER_KEY] });

async function list(key = KEY): Promise<Response> {
  return fetch(`${relay.server.httpUrl}/api/v1/rooms`, { headers: { authorization: `Bearer ${key}` } });
}

async function limitHits(): Promise<number> {
  const line = (await httpGet(relay.server, '/metrics')).body.split('\n').find((l) => l.startsWith('roomcast_limit_hits_total{limit="api_requests"}'));
  return Number(line?.split(' ')[1]);
}

describe('server API rate limit', () => {
  it('allows the burst, then answers 429 rate_limited with Retry-After until tokens refill', async () => {
    const clock = new FakeClock();
    await relay.start({ apiRatePerSec: 4, apiBurst: 3 }, clock);
    for (let i = 0; i < 3; i++) expect((await list()).status).toBe(200);
    const refused = await list();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toBe('application/json');
    // One token at 4 per second: 250 ms.
    expect(await refused.json()).toEqual({ error: {
      code: 'rate_limited', message: 'more than RELAY_API_RATE_PER_SEC (4) requests per second with this key; retry in 250 ms', retryAfterMs: 250,
    } });
    clock.advance(100);
    expect(await (await list()).json()).toMatchObject({ error: { code: 'rate_limited', retryAfterMs: 150 } });
    // Another key has its own bucket.
    expect((await list(OTHER_KEY)).status).toBe(200);
    clock.advance(150);
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(429);
    expect(await limitHits()).toBe(3);
  });

  it('counts before routing: a refused request does nothing (a create is not carried out)', async () => {
    const clock = new FakeClock();
    await relay.start({ apiRatePerSec: 1, apiBurst: 1 }, clock);
    expect((await list()).status).toBe(200);
    const create = await fetch(`${relay.server.httpUrl}/api/v1/rooms`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'r' }),
    });
    expect(create.status).toBe(429);
    expect(create.headers.get('retry-after')).toBe('1');
    expect(relay.server.relay.rooms.size).toBe(0);
    // Requests without a valid key get 401 and take no token.
    clock.advance(1000);
    const wrong = await fetch(`${relay.server.httpUrl}/api/v1/rooms`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await list()).status).toBe(200);
  });

  it('@roomcast/server waits retryAfterMs and sends a refused request again (rateLimitRetries 0: throws rate_limited)', async () => {
    await relay.start({ apiRatePerSec: 20, apiBurst: 1 });
    const patient = new RoomcastApi({ url: relay.server.httpUrl, key: KEY });
    expect(await patient.listRooms()).toEqual({ rooms: [] });
    expect(await patient.createRoom('r')).toMatchObject({ name: 'r', members: 0 });
    expect(await limitHits()).toBe(1);
    const impatient = new RoomcastApi({ url: relay.server.httpUrl, key: KEY, rateLimitRetries: 0 });
    const error = await impatient.listRooms().then(() => impatient.listRooms()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RoomcastApiError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited' });
  });

  it('RELAY_API_RATE_PER_SEC=0 turns the limit off', async () => {
    await relay.start({ apiRatePerSec: 0, apiBurst: 1 });
    for (let i = 0; i < 20; i++) expect((await list()).status).toBe(200);
    expect(await limitHits()).toBe(0);
  });
});
