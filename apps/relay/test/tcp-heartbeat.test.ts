// Heartbeats on raw TCP: a silent client gets `heartbeat` at half the idle window and is closed
// with 4408 at the full window (its rooms see member_left); one that answers stays connected.
// Real sockets, but the relay runs on a fake clock: the 8 s window passes in milliseconds.
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@roomcast/protocol';
import { FakeClock } from './fakes.js';
import { useTcpRelay } from './tcp-helpers.js';

const relay = useTcpRelay();

describe('tcp heartbeats', () => {
  it('closes a silent member with 4408 after a heartbeat, keeps one that answers', async () => {
    const clock = new FakeClock();
    const server = await relay.start({ idleTimeoutSec: 8 }, clock);
    const silent = await relay.tcpOpen();
    const alive = await relay.tcpOpen();
    const ws = await relay.wsOpen();
    const js = await silent.join('hb');
    await alive.join('hb');
    await ws.join('hb');
    // The answering client replies to every heartbeat with a ping, as PROTOCOL.md suggests.
    let answered = 0;
    let heard = (): void => {};
    const answer = async (): Promise<void> => {
      await alive.nextMessage('heartbeat');
      await alive.request({ type: 'ping' }, 'pong');
      answered++;
      heard();
      void answer();
    };
    void answer();
    const answeredOnce = new Promise<void>((resolve) => { heard = resolve; });

    const left = ws.nextMessage('member_left', (m) => m.member === js.self);
    clock.advance(4_000); // half the window since the joins: a heartbeat to each TCP member
    await silent.nextMessage('heartbeat');
    await answeredOnce; // the relay has heard from `alive` at 4 s
    expect(server.relay.connections.size).toBe(3);
    clock.advance(4_000); // the full window since `silent` last sent anything
    expect(await silent.closed).toEqual({ code: 4408, reason: 'nothing received within the idle timeout' });
    await left;
    expect(answered).toBeGreaterThanOrEqual(1);
    // Still connected and in the room.
    await alive.request({ type: 'ping' }, 'pong');
    expect(server.relay.rooms.memberCount()).toBe(2);
    expect(server.relay.stats.closes.timeout).toBe(1);
  });

  it('every half window of silence gets its own heartbeat; one heartbeat per silence, however many sweeps pass', async () => {
    const clock = new FakeClock();
    await relay.start({ idleTimeoutSec: 8 }, clock);
    const c = await relay.tcpOpen();
    const queued = (): number => c.frames.filter((f) => f.kind === 'control' && f.message.type === 'heartbeat').length;
    clock.advance(4_000); // half the window since the hello
    await c.nextMessage('heartbeat');
    clock.advance(3_000); // three more sweeps of the same silence
    await c.request({ type: 'ping' }, 'pong'); // heard at 7 s; any heartbeat of those sweeps came before the pong
    expect(queued()).toBe(0);
    clock.advance(4_000); // half the window since the ping
    await c.nextMessage('heartbeat');
    await c.request({ type: 'ping' }, 'pong');
    expect(queued()).toBe(0);
  });

  it('no heartbeat before the welcome (the hello deadline covers that time); each heartbeat counts as a control frame out', async () => {
    const clock = new FakeClock();
    const server = await relay.start({ idleTimeoutSec: 8, helloTimeoutMs: 30_000 }, clock);
    const late = await relay.tcpConnect();
    clock.advance(6_000); // past half the idle window, still no hello
    await late.request({ type: 'hello', v: PROTOCOL_VERSION, client: 'late' }, 'welcome');
    expect(late.frames).toHaveLength(0); // nothing came before the welcome
    const before = server.relay.stats.framesOut.control;
    clock.advance(4_000);
    await late.nextMessage('heartbeat');
    expect(server.relay.stats.framesOut.control).toBe(before + 1);
  });
});
