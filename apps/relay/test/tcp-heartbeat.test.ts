// Heartbeats on raw TCP: a silent client gets `heartbeat` at half the idle window and is closed
// with 4408 at the full window (its rooms see member_left); one that answers stays connected.
// The window is RELAY_IDLE_TIMEOUT_SEC's minimum, 8 s, so this test takes about that long.
import { describe, expect, it } from 'vitest';
import { useTcpRelay } from './tcp-helpers.js';

const relay = useTcpRelay();

describe('tcp heartbeats', () => {
  it('closes a silent member with 4408 after a heartbeat, keeps one that answers', { timeout: 30_000 }, async () => {
    const server = await relay.start({ idleTimeoutSec: 8 });
    const silent = await relay.tcpOpen();
    const alive = await relay.tcpOpen();
    const ws = await relay.wsOpen();
    const js = await silent.join('hb');
    await alive.join('hb');
    await ws.join('hb');
    // The answering client replies to every heartbeat with a ping, as PROTOCOL.md suggests.
    let answered = 0;
    const answer = async (): Promise<void> => {
      await alive.nextMessage('heartbeat');
      answered++;
      alive.sendControl({ type: 'ping', id: 1000 + answered });
      void answer();
    };
    void answer();

    const left = ws.nextMessage('member_left', (m) => m.member === js.self);
    await silent.nextMessage('heartbeat');
    expect(await silent.closed).toEqual({ code: 4408, reason: 'nothing received within the idle timeout' });
    await left;
    expect(answered).toBeGreaterThanOrEqual(1);
    // Still connected and in the room.
    await alive.request({ type: 'ping' }, 'pong');
    expect(server.relay.rooms.memberCount()).toBe(2);
  });
});
