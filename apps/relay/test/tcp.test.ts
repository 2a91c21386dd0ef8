// Raw TCP and WebSocket members in the same rooms: presence, byte-identical frames both ways,
// member_left on close, the going_away close frame on shutdown, metrics by transport, TCP_PORT=off.
import { describe, expect, it } from 'vitest';
import { bindsAt, httpGet, startTestRelay } from './helpers.js';
import { RawTcpClient, hex, useTcpRelay } from './tcp-helpers.js';

const relay = useTcpRelay();

describe('tcp transport', () => {
  it('a TCP and a WebSocket member see each other and exchange frames byte-identical both ways', async () => {
    await relay.start();
    const tcp = await relay.tcpOpen();
    const ws = await relay.wsOpen();
    const jt = await tcp.join('mixed', { name: 'Tess', via: 'tcp' });
    const joinedAtTcp = tcp.nextMessage('member_joined');
    const jw = await ws.join('mixed', { name: 'Wes', via: 'ws' });
    expect(jw.members).toEqual([
      { id: jt.self, presence: { name: 'Tess', via: 'tcp' } },
      { id: jw.self, presence: { name: 'Wes', via: 'ws' } },
    ]);
    expect((await joinedAtTcp).member).toEqual({ id: jw.self, presence: { name: 'Wes', via: 'ws' } });

    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    tcp.sendData(jt.handle, all);
    const atWs = await ws.nextDeliver();
    expect(atWs).toMatchObject({ sender: jt.self, direct: false });
    expect(hex(atWs.payload)).toBe(hex(all));

    const back = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    ws.sendData(jw.handle, back, jt.self);
    const atTcp = await tcp.nextDeliver();
    expect(atTcp).toMatchObject({ sender: jw.self, direct: true });
    expect(hex(atTcp.payload)).toBe(hex(back));
    // The whole frame is the one a WebSocket member would get: the same deliver bytes.
    ws.sendData(jw.handle, back);
    const tcp2 = await relay.tcpOpen();
    await tcp2.join('mixed');
    expect(hex((await tcp.nextDeliver()).payload)).toBe(hex(back));

    const updated = ws.nextMessage('member_updated');
    await tcp.request({ type: 'presence', room: jt.handle, presence: { name: 'Tess 2' } }, 'ok');
    expect((await updated).member).toEqual({ id: jt.self, presence: { name: 'Tess 2' } });
  });

  it('broadcasts from TCP reach WebSocket and TCP members, never the sender', async () => {
    await relay.start();
    const [t1, t2, w1, w2] = [await relay.tcpOpen(), await relay.tcpOpen(), await relay.wsOpen(), await relay.wsOpen()];
    const h = (await t1.join('fan')).handle;
    await t2.join('fan');
    await w1.join('fan');
    await w2.join('fan');
    for (let i = 0; i < 20; i++) t1.sendData(h, Uint8Array.of(1, i));
    for (let i = 0; i < 20; i++) w1.sendData(h, Uint8Array.of(2, i));
    for (const c of [t2, w2]) {
      const got: string[] = [];
      for (let i = 0; i < 40; i++) got.push(hex((await c.nextDeliver()).payload));
      // Order per sender is kept; the interleaving of the two senders is not promised.
      expect(got.filter((x) => x.startsWith('01'))).toEqual(Array.from({ length: 20 }, (_, i) => hex(Uint8Array.of(1, i))));
      expect(got.filter((x) => x.startsWith('02'))).toEqual(Array.from({ length: 20 }, (_, i) => hex(Uint8Array.of(2, i))));
    }
    const atT1 = await Promise.all(Array.from({ length: 20 }, () => t1.nextDeliver()));
    expect(atT1.every((f) => f.payload[0] === 2)).toBe(true);
    // Nothing of its own came back to t1: a ping's pong is the next frame.
    await t1.request({ type: 'ping' }, 'pong');
    expect(t1.frames.filter((f) => f.kind === 'deliver')).toEqual([]);
  });

  it('a TCP member that disconnects leaves: the others get member_left and the registries empty', async () => {
    const server = await relay.start();
    const tcp = await relay.tcpOpen();
    const ws = await relay.wsOpen();
    const jt = await tcp.join('leave');
    await ws.join('leave');
    const left = ws.nextMessage('member_left');
    tcp.socket.destroy();
    expect((await left).member).toBe(jt.self);
    await ws.close();
    expect(server.relay.connections.size).toBe(0);
    expect(server.relay.rooms.size).toBe(0);
  });

  it('shutdown closes TCP members with a close frame 1001 going_away', async () => {
    const server = await relay.start();
    const tcp = await relay.tcpOpen();
    await tcp.join('bye');
    await server.close();
    expect(await tcp.closed).toEqual({ code: 1001, reason: 'relay shutting down' });
    expect(hex(tcp.raw.at(-1)!)).toBe('0183a474797065a5636c6f7365a4636f6465cd03e9a6726561736f6eb372656c6179207368757474696e6720646f776e');
  });

  it('a protocol close (hello with another version) ends with error, then close 4406', async () => {
    await relay.start();
    const tcp = await relay.tcpConnect();
    tcp.sendControl({ type: 'hello', id: 1, v: 99 });
    expect((await tcp.nextError('unsupported_version')).id).toBe(1);
    expect(await tcp.closed).toMatchObject({ code: 4406 });
  });

  it('metrics label connections by transport and keep the unlabelled total', async () => {
    const server = await relay.start();
    await relay.tcpOpen();
    await relay.tcpOpen();
    await relay.wsOpen();
    const { body } = await httpGet(server, '/metrics');
    expect(body).toMatch(/^roomcast_connections 3$/m);
    expect(body).toMatch(/^roomcast_transport_connections\{transport="tcp"\} 2$/m);
    expect(body).toMatch(/^roomcast_transport_connections\{transport="ws"\} 1$/m);
  });

  it('TCP_PORT=off starts no TCP listener', async () => {
    const server = await relay.start({ tcpPort: 'off' });
    expect(server.tcpPort).toBeUndefined();
    expect(server.tcpUrl).toBeUndefined();
  });

  it('a busy TCP port fails start-up naming TCP_PORT', async () => {
    const first = await relay.start();
    await expect(startTestRelay({ tcpPort: first.tcpPort! })).rejects
      .toThrow(`could not listen for TCP on 127.0.0.1:${first.tcpPort}: EADDRINUSE (set TCP_PORT to another port, or TCP_PORT=off)`);
    // The refused relay released its HTTP port and timers: nothing to clean up here.
    await RawTcpClient.open(first.tcpPort!).then((c) => c.close());
  });

  it('a close reason is cut to 256 characters on TCP and to 120 on WebSocket (what a close frame holds)', async () => {
    const server = await relay.start();
    const tcp = await relay.tcpOpen();
    const ws = await relay.wsOpen();
    const { self: tcpId } = await tcp.join('cut');
    const { self: wsId } = await ws.join('cut');
    const reason = Array.from({ length: 300 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    // The core's admin API takes any reason (the HTTP API's schema allows 120 characters).
    expect(server.relay.admin.kickMember('cut', tcpId, reason)).toBe('kicked');
    expect(server.relay.admin.kickMember('cut', wsId, reason)).toBe('kicked');
    expect(await tcp.closed).toEqual({ code: 4403, reason: reason.slice(0, 256) });
    expect(await ws.closed).toEqual({ code: 4403, reason: reason.slice(0, 120) });
  });

  it('a refused TCP connection gets one close frame, 4429 for its address\'s limit and 1013 for the relay\'s, with the reason, then the socket ends', async () => {
    const server = await relay.start({ maxConnections: 2, maxConnectionsPerIp: 1, connectRatePerIp: 0 });
    const first = await RawTcpClient.connect(relay.tcpPort, '127.0.0.1', '127.0.0.2');
    const mine = await RawTcpClient.connect(relay.tcpPort, '127.0.0.1', '127.0.0.2');
    expect(await mine.closed).toEqual({ code: 4429, reason: 'this address holds its maximum of 1 connections' });
    const second = await RawTcpClient.connect(relay.tcpPort, '127.0.0.1', '127.0.0.3');
    const full = await RawTcpClient.connect(relay.tcpPort, '127.0.0.1', '127.0.0.4');
    expect(await full.closed).toEqual({ code: 1013, reason: 'the relay holds its maximum of 2 connections' });
    // Only the close frame came: no welcome, no error.
    expect(full.frames).toHaveLength(1);
    expect(server.relay.connections.size).toBe(2);
    expect(server.tcp?.connections).toBe(2);
    for (const c of [first, second]) c.socket.destroy();
  });

  it('closing the relay releases the TCP port at once (idle and frame deadlines off: no sweep to stop)', async () => {
    const server = await startTestRelay({ idleTimeoutSec: 0, tcpFrameTimeoutSec: 0 });
    const port = server.tcpPort!;
    await server.close();
    await bindsAt(port);
  });
});

