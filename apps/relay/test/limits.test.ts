// Every limit and every kind of bad input gets its own typed error or documented close code,
// and never disturbs the other members of the room.
import { CloseCodes, FrameKind, scanPlain } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { useRelay } from './helpers.js';

const relay = useRelay();
const start = relay.start.bind(relay);
const open = () => relay.open();
const connect = () => relay.connect();

describe('handshake', () => {
  it('closes with 4400 when a data frame comes before hello', async () => {
    await start();
    const c = await connect();
    c.sendData(1, new Uint8Array([1]));
    expect(await c.nextError()).toMatchObject({ code: 'handshake_required' });
    expect((await c.closed).code).toBe(CloseCodes.protocol_error.code);
  });

  it('closes with 4400 when join comes before hello, echoing the request id', async () => {
    await start();
    const c = await connect();
    c.sendControl({ type: 'join', id: 77, room: 'x' });
    expect(await c.nextError()).toMatchObject({ code: 'handshake_required', id: 77 });
    expect((await c.closed).code).toBe(4400);
  });

  it('closes with 4406 on an unsupported protocol version', async () => {
    await start();
    const c = await connect();
    c.sendControl({ type: 'hello', id: 5, v: 99 });
    expect(await c.nextError()).toMatchObject({ code: 'unsupported_version', id: 5 });
    expect((await c.closed).code).toBe(CloseCodes.unsupported_version.code);
  });

  it('closes with 4408 when no hello arrives before the deadline', async () => {
    await start({ helloTimeoutMs: 200, backpressureCheckMs: 20 });
    const c = await connect();
    expect((await c.closed).code).toBe(CloseCodes.timeout.code);
    expect(relay.server.relay.stats.limitHits.hello_timeout).toBe(1);
  });

  it('answers a second hello with already_welcomed', async () => {
    await start();
    const c = await open();
    expect(await c.requestAny({ type: 'hello', v: 1 })).toMatchObject({ type: 'error', code: 'already_welcomed' });
  });
});

describe('malformed input', () => {
  it('answers each malformed frame with a typed error, then closes with 4400 after the budget', async () => {
    await start({ maxProtocolErrors: 5 });
    const bystander = await open();
    const bj = await bystander.join('calm');
    const c = await open();
    const cj = await c.join('calm');
    await bystander.nextMessage('member_joined');
    const bad: [Uint8Array | string, string][] = [
      [new Uint8Array([]), 'bad_frame'],
      [new Uint8Array([0x7f, 1, 2]), 'bad_frame'],
      [new Uint8Array([FrameKind.Data, 0xf0, 0, cj.handle]), 'bad_frame'],
      [new Uint8Array([FrameKind.Control, 0xd4, 0, 0]), 'bad_frame'],
      ['text is not a frame', 'bad_frame'],
    ];
    for (const [bytes, code] of bad.slice(0, 4)) {
      c.send(bytes);
      expect(await c.nextError()).toMatchObject({ code });
    }
    c.sendControl({ type: 'join', id: 3, room: 'r', extra: 1 } as never);
    // That was the 5th protocol error: error frame, then close 4400.
    expect(await c.nextError()).toMatchObject({ code: 'bad_message', id: 3 });
    expect((await c.closed).code).toBe(4400);
    expect(await bystander.nextMessage('member_left')).toMatchObject({ room: bj.handle, member: cj.self });
    // The bystander is unaffected.
    expect(await bystander.request({ type: 'ping' }, 'pong')).toMatchObject({ type: 'pong' });
    expect(relay.server.relay.stats.limitHits.protocol_errors).toBe(1);
  });

  it('answers a text message with bad_frame', async () => {
    await start();
    const c = await open();
    c.send('hello?');
    // Said as a text message, not judged as the bytes of a binary frame.
    expect(await c.nextError()).toMatchObject({ code: 'bad_frame', message: 'text messages are not accepted; send binary frames' });
  });

  it('refuses control frames above the control cap with control_too_large', async () => {
    await start({ maxControlBytes: 256 });
    const c = await open();
    c.sendControl({ type: 'join', id: 9, room: 'x'.repeat(400) });
    expect(await c.nextError()).toMatchObject({ code: 'control_too_large' });
  });

  it('closes with 1009 when a WebSocket message is above the transport cap', async () => {
    await start({ maxPayloadBytes: 1024, maxControlBytes: 256 });
    const c = await open();
    c.send(new Uint8Array(1032));
    expect((await c.closed).code).toBe(CloseCodes.message_too_big.code);
    expect(relay.server.relay.stats.limitHits.frame_bytes).toBe(1);
  });

  it('drops the connection without buffering a message far above the cap', async () => {
    await start({ maxPayloadBytes: 1024, maxControlBytes: 256 });
    const c = await open();
    c.send(new Uint8Array(64 * 1024));
    expect((await c.closed).code).toBe(1006);
  });
});

describe('rate limit', () => {
  it('drops frames over the budget with rate_limited, then closes a flooder with 4429', async () => {
    // A refill of one frame per 1000 s: the budget is the burst alone, so the counts below are exact.
    await start({ maxMessagesPerSec: 0.001, burstMessages: 10, floodStrikes: 20 });
    const receiver = await open();
    const rj = await receiver.join('flood');
    const flooder = await open();
    const fj = await flooder.join('flood');
    await receiver.nextMessage('member_joined');
    for (let i = 0; i < 60; i++) flooder.sendData(fj.handle, new Uint8Array([i]));
    const closed = await flooder.closed;
    expect(closed.code).toBe(CloseCodes.rate_limited.code);
    const errors = flooder.frames.filter((f) => f.kind === 'control' && f.message.type === 'error');
    // Every refused frame is answered with rate_limited; the 21st passes RELAY_FLOOD_STRIKES (20)
    // and the close follows its error. Frames after the close are never read.
    expect(errors).toHaveLength(21);
    expect(errors.every((f) => f.kind === 'control' && f.message.type === 'error' && f.message.code === 'rate_limited')).toBe(true);
    expect(await receiver.nextMessage('member_left')).toMatchObject({ room: rj.handle, member: fj.self });
    // The receiver got exactly what fit in the burst (10 tokens less hello and join), in order.
    const got = receiver.frames.filter((f) => f.kind === 'deliver').map((f) => (f.kind === 'deliver' ? f.payload[0] : -1));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(relay.server.relay.stats.limitHits.flood).toBe(1);
    expect(relay.server.relay.stats.errors.rate_limited).toBe(21);
  });

  it('a connection that was idle gets its burst, not the refill it missed on top', async () => {
    // 50 frames/s, burst 5: after 0.5 s idle the bucket is full (5), not 5 + 25.
    await start({ maxMessagesPerSec: 50, burstMessages: 5, floodStrikes: 1000 });
    const receiver = await open();
    const rj = await receiver.join('idle-burst');
    const sender = await open();
    const sj = await sender.join('idle-burst');
    await receiver.nextMessage('member_joined');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    for (let i = 0; i < 30; i++) sender.sendData(sj.handle, Uint8Array.of(i));
    await sender.requestAny({ type: 'ping' }); // a pong, or a rate_limited error: either way all 30 were read
    const sendingMs = performance.now() - started;
    await receiver.request({ type: 'ping' }, 'pong');
    const got = receiver.frames.filter((f) => f.kind === 'deliver' && f.room === rj.handle).length;
    // The burst, plus what refilled while the 30 frames were being sent (50/s of that time).
    expect(got).toBeGreaterThanOrEqual(5);
    expect(got).toBeLessThanOrEqual(5 + Math.ceil((sendingMs * 50) / 1000));
  });

  it('echoes the request id on a rate-limited request', async () => {
    await start({ maxMessagesPerSec: 1, burstMessages: 2, floodStrikes: 100 });
    const c = await open(); // hello used one token
    c.sendControl({ type: 'ping', id: 1 });
    c.sendControl({ type: 'ping', id: 2 });
    expect(await c.nextMessage('pong')).toMatchObject({ id: 1 });
    expect(await c.nextError('rate_limited')).toMatchObject({ id: 2 });
  });
});

describe('encoding of control frames stays plain', () => {
  it('every control frame the relay sends is plain MessagePack (no extension types, no records)', async () => {
    await start();
    const c = await open();
    const other = await open();
    await c.join('plain', { a: [1, 2, { b: null }], s: 'ü', f: 1.5 });
    await other.join('plain', { n: -7 });
    await c.nextMessage('member_joined');
    await c.requestAny({ type: 'leave', room: 999 });
    const control = c.raw.filter((raw) => raw[0] === FrameKind.Control);
    expect(control.length).toBeGreaterThanOrEqual(4); // welcome, joined, member_joined, error
    for (const raw of control) expect(scanPlain(raw, 1).ok).toBe(true);
  });
});
