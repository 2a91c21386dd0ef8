// Flash socket policy on the TCP port: `<policy-file-request/>\0` gets the policy XML and `\0`,
// then the connection closes; with TCP_FLASH_POLICY off the request is just an oversized prefix.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './fakes.js';
import { useTcpRelay } from './tcp-helpers.js';

const relay = useTcpRelay();
const REQUEST = '<policy-file-request/>\0';

/** Writes `pieces` one after another and resolves with everything received until the relay closes. */
function exchange(port: number, pieces: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('connect', () => {
      const write = (i: number): void => {
        if (i < pieces.length) socket.write(pieces[i]!, () => write(i + 1));
      };
      write(0);
    });
  });
}

describe('flash policy', () => {
  it('answers the policy request with XML allowing the TCP port, then NUL and close', async () => {
    const server = await relay.start({ tcpFlashPolicy: true });
    const answer = await exchange(relay.tcpPort, [REQUEST]);
    expect(answer.endsWith('\0')).toBe(true);
    expect(answer).toContain('<cross-domain-policy>');
    expect(answer).toContain(`<allow-access-from domain="*" to-ports="${relay.tcpPort}"/>`);
    expect(answer.indexOf('\0')).toBe(answer.length - 1);
    expect(server.tcp?.policyRequests).toBe(1);
    expect(server.relay.connections.size).toBe(0);
  });

  it('recognises a request split across segments', async () => {
    await relay.start({ tcpFlashPolicy: true });
    const answer = await exchange(relay.tcpPort, ['<pol', 'icy-file-req', 'uest/>', '\0']);
    expect(answer).toMatch(/<\/cross-domain-policy>\0$/);
  });

  it('serves TCP_FLASH_POLICY_FILE instead of the default', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'roomcast-policy-')), 'policy.xml');
    writeFileSync(file, '<cross-domain-policy><allow-access-from domain="game.example" to-ports="843,8081"/></cross-domain-policy>');
    await relay.start({ tcpFlashPolicy: true, tcpFlashPolicyFile: file });
    expect(await exchange(relay.tcpPort, [REQUEST]))
      .toBe('<cross-domain-policy><allow-access-from domain="game.example" to-ports="843,8081"/></cross-domain-policy>\0');
  });

  it('with the policy on, ordinary clients still connect (hello is not a policy request)', async () => {
    await relay.start({ tcpFlashPolicy: true });
    const c = await relay.tcpOpen();
    await c.request({ type: 'ping' }, 'pong');
  });

  it('with the policy off, the request is refused as an oversized length prefix', async () => {
    await relay.start();
    const c = await relay.tcpConnect();
    c.write(REQUEST);
    expect((await c.nextError('bad_frame')).message).toContain('length prefix of 1014001516 bytes'); // "<pol"
    expect((await c.closed).code).toBe(1009);
    // Nothing is held back to sniff: the first four bytes alone are a length prefix, judged at once.
    const d = await relay.tcpConnect();
    d.write('<pol');
    expect((await d.nextError('bad_frame')).message).toContain('length prefix of 1014001516 bytes');
    expect((await d.closed).code).toBe(1009);
  });

  it('a client that stops in the middle of the request is closed at the frame deadline, like one that stops in a frame', async () => {
    const clock = new FakeClock();
    // The hello deadline (RELAY_HELLO_TIMEOUT_MS) would close it first at its default of 10 s: moved out of the way.
    const server = await relay.start({ tcpFlashPolicy: true, idleTimeoutSec: 32, tcpFrameTimeoutSec: 10, helloTimeoutMs: 60_000 }, clock);
    const stalled = await relay.tcpConnect();
    const probe = await relay.tcpOpen();
    clock.advance(3_000);
    stalled.write('<policy'); // a prefix of the request, at 3 s
    await probe.request({ type: 'ping' }, 'pong');
    clock.advance(3_000);
    stalled.write('-file'); // more of it, at 6 s: the deadline still counts from 3 s
    await probe.request({ type: 'ping' }, 'pong');
    clock.advance(6_000); // 12 s: 9 s since the prefix
    await probe.request({ type: 'ping' }, 'pong');
    expect(server.relay.connections.size).toBe(2);
    clock.advance(1_000); // 13 s: 10 s since the prefix
    expect(await stalled.closed).toEqual({ code: 4408, reason: 'frame not completed within 10 s' });
    expect(server.tcp?.policyRequests).toBe(0);
  });

  it('held bytes that turn out not to be a request are read as frames, from their first byte', async () => {
    const server = await relay.start({ tcpFlashPolicy: true });
    const c = await relay.tcpConnect();
    c.write('<pol');
    const probe = await relay.tcpOpen();
    await probe.request({ type: 'ping' }, 'pong');
    c.write('x');
    // "<pol" is the length prefix: the held bytes were not dropped.
    expect((await c.nextError('bad_frame')).message).toContain('length prefix of 1014001516 bytes');
    expect((await c.closed).code).toBe(1009);
    expect(server.tcp?.policyRequests).toBe(0);
  });
});

