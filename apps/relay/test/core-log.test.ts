// What the room core logs (core/inbound.ts, relay.ts, handshake.ts, connections.ts), through a
// recording Log on fake peers: the level, the message and the fields of each line an operator
// reads when a connection is closed for what it sent, fails, or says hello.
import { encodeControl, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import type { Log } from '../src/core/log.js';
import { setup } from './fakes.js';

class RecordingLog implements Log {
  readonly lines: [string, object, string][] = [];
  debug(fields: object, message: string): void { this.lines.push(['debug', fields, message]); }
  info(fields: object, message: string): void { this.lines.push(['info', fields, message]); }
  error(fields: object, message: string): void { this.lines.push(['error', fields, message]); }
  find(message: string): [string, object, string][] { return this.lines.filter((l) => l[2] === message); }
}

function logged(overrides: Record<string, string> = {}) {
  const log = new RecordingLog();
  const t = setup(overrides, { log });
  return { ...t, log };
}

describe('core log lines', () => {
  it('hello (debug): the client, transport, address and whether a token came', () => {
    const { connect, log } = logged();
    const a = connect();
    expect(log.find('hello')).toEqual([['debug', { conn: a.conn.id, client: undefined, transport: 'fake', remote: '127.0.0.1', token: false }, 'hello']]);
  });

  it('closing a connection (debug): its code and reason', () => {
    const { connect, relay, log } = logged();
    const a = connect();
    relay.close(a.conn, 'kicked', 'bye');
    expect(log.find('closing connection')).toEqual([['debug', { conn: a.conn.id, transport: 'fake', code: 4403, reason: 'bye' }, 'closing connection']]);
  });

  it('a protocol-error close (info): the code and the count', () => {
    const { connect, relay, log } = logged({ RELAY_MAX_PROTOCOL_ERRORS: '2' });
    const a = connect();
    relay.message(a.conn, Uint8Array.of(0x09));
    expect(log.find('closing connection for protocol errors')).toEqual([]);
    relay.message(a.conn, Uint8Array.of(0x09));
    expect(log.find('closing connection for protocol errors')).toEqual([['info', { conn: a.conn.id, code: 'bad_frame', errors: 2 }, 'closing connection for protocol errors']]);
  });

  it('a flood close (info): the remote address', () => {
    const { connect, join, relay, log } = logged({ RELAY_MAX_MESSAGES_PER_SEC: '0.001', RELAY_BURST_MESSAGES: '2', RELAY_FLOOD_STRIKES: '1' });
    const a = connect();
    const j = join(a, 'r');
    relay.message(a.conn, encodeData({ room: j.handle }, Uint8Array.of(1)));
    expect(log.find('closing flooding connection')).toEqual([]);
    relay.message(a.conn, encodeData({ room: j.handle }, Uint8Array.of(1)));
    expect(log.find('closing flooding connection')).toEqual([['info', { conn: a.conn.id, remote: '127.0.0.1' }, 'closing flooding connection']]);
  });

  it('an internal error (error): the error; and one while closing, too', () => {
    const { connect, relay, log } = logged();
    const a = connect();
    const boom = new Error('boom');
    const broke = new Error('socket broke');
    a.peer.close = () => { throw broke; };
    relay.internalError(a.conn, boom);
    expect(log.lines.filter((l) => l[0] === 'error')).toEqual([
      ['error', { conn: a.conn.id, err: boom }, 'internal error while handling a frame'],
      ['error', { conn: a.conn.id, err: broke }, 'internal error while closing'],
    ]);
  });

  it('a hello with a token says so (token: true); its refusal (debug) names the code and reason', async () => {
    const { relay, log } = logged();
    // A token on a relay without a key is refused after verification (async): the hello line comes first.
    const c = relay.open({ remoteAddress: '127.0.0.1', transport: 'fake', send: () => {}, bufferedAmount: () => 0, close: () => {} });
    relay.message(c, encodeControl({ type: 'hello', id: 0, v: 2, token: 'x.y.z', client: 'test/1' }));
    expect(log.find('hello')).toEqual([['debug', { conn: c.id, client: 'test/1', transport: 'fake', remote: '127.0.0.1', token: true }, 'hello']]);
    await new Promise<void>((resolve) => { const wait = () => (c.state === 'closed' ? resolve() : setImmediate(wait)); wait(); });
    expect(log.find('hello refused')).toEqual([['debug', { conn: c.id, code: 'unauthorized', reason: expect.any(String) }, 'hello refused']]);
  });
});
