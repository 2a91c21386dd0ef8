// What a control frame may cost the relay (issue 14 items 3 and 6), over a real WebSocket:
// repeated keys refused before anything reads them, presence caps checked on the plain value
// before the schema (and counted as protocol errors), and big frames paying for their values
// from the frame budget.
import { encodeControl } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { useRelay } from './helpers.js';

const relay = useRelay();
const frame = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

/** A presence nested `depth` deep (arrays), holding 0 innermost. */
const nested = (depth: number): unknown => (depth === 0 ? 0 : [nested(depth - 1)]);

describe('repeated map keys (PROTOCOL.md §5.1)', () => {
  it('{type:"ping",id:1,id:2} is bad_frame, not a pong with id 2', async () => {
    await relay.start();
    const c = await relay.open();
    c.sendFrame(frame('0183a474797065a470696e67a2696401a2696402'));
    const err = await c.nextError();
    expect(err).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('"id" repeated') });
    expect(err.id).toBeUndefined();
    expect(await c.request({ type: 'ping' }, 'pong')).toMatchObject({ type: 'pong' });
    expect(c.frames.filter((f) => f.kind === 'control' && f.message.type === 'pong')).toEqual([]);
  });

  it('{type:"ping",type:"hello",id:7,v:1} before the handshake is not a hello', async () => {
    await relay.start();
    const c = await relay.connect();
    c.sendFrame(frame('0184a474797065a470696e67a474797065a568656c6c6fa2696407a17601'));
    expect(await c.nextError()).toMatchObject({ code: 'bad_frame' });
    expect(c.frames.some((f) => f.kind === 'control' && f.message.type === 'welcome')).toBe(false);
  });
});

describe('presence caps before schema work', () => {
  it('accepts presence 13 deep and refuses 14 deep with presence_too_large', async () => {
    await relay.start();
    const c = await relay.open();
    const joined = await c.request({ type: 'join', room: 'deep', presence: nested(13) as never }, 'joined');
    expect(joined.members[0]!.presence).toEqual(nested(13));
    const err = await c.requestAny({ type: 'presence', room: joined.handle, presence: nested(14) as never });
    expect(err).toMatchObject({ type: 'error', code: 'presence_too_large', message: 'presence nests deeper than 13' });
  });

  it('refuses a 4 KB presence of a thousand small maps from a lower bound, without serialising it', async () => {
    await relay.start();
    const c = await relay.open();
    const presence = Array.from({ length: 1000 }, () => ({}));
    const err = await c.requestAny({ type: 'join', room: 'r', presence });
    // The lower-bound message (the exact size would read "is N bytes as JSON").
    expect(err).toMatchObject({ type: 'error', code: 'presence_too_large', message: 'presence is more than 512 bytes as JSON' });
  });

  it('counts presence_too_large toward the protocol-error budget (close 4400)', async () => {
    await relay.start({ maxProtocolErrors: 3 });
    const c = await relay.open();
    const big = 'x'.repeat(600);
    for (let i = 0; i < 3; i++) c.sendControl({ type: 'join', id: i + 1, room: 'r', presence: big });
    expect((await c.closed).code).toBe(4400);
    expect(relay.server.relay.stats.errors.presence_too_large).toBe(3);
  });
});

describe('decode cost is paid from the frame budget', () => {
  it('a control frame of 4000 values takes 1 + 62 frame tokens', async () => {
    // Burst 70, refill 1/s: hello (1) + two 4000-value frames (2 × 63) leave the bucket in debt.
    await relay.start({ burstMessages: 70, maxMessagesPerSec: 1, maxProtocolErrors: 100 });
    const c = await relay.open();
    const heavy = encodeControl({ type: 'join', id: 100, room: 'r', presence: new Array<number>(4000).fill(0) });
    expect(heavy.length).toBeLessThanOrEqual(4096);
    c.sendFrame(heavy);
    expect(await c.nextError('presence_too_large')).toMatchObject({ id: 100 });
    expect(await c.request({ type: 'ping' }, 'pong')).toMatchObject({ type: 'pong' });
    c.sendFrame(heavy);
    await c.nextError('presence_too_large');
    expect(await c.requestAny({ type: 'ping' })).toMatchObject({ type: 'error', code: 'rate_limited' });
  });
});

describe('welcome.session', () => {
  it('is 16 random hex digits, different per connection, not the connection number', async () => {
    await relay.start();
    const sessions = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const c = await relay.connect();
      const welcome = await c.request({ type: 'hello', v: 2 }, 'welcome');
      expect(welcome.session).toMatch(/^[0-9a-f]{16}$/);
      sessions.add(welcome.session);
    }
    expect(sessions.size).toBe(3);
  });
});
