// Flash socket policy on the TCP port: `<policy-file-request/>\0` gets the policy XML and `\0`,
// then the connection closes; with TCP_FLASH_POLICY off the request is just an oversized prefix.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  });
});
