// The client SDK's README states relay facts in its "Raw TCP" section: they must be the relay's.
// (packages/client/test/readme*.test.ts check the rest of that README against the SDK itself;
// tcp-sdk.test.ts shows TCP and WebSocket SDK clients sharing a room on a real relay.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const readme = readFileSync(new URL('../../../packages/client/README.md', import.meta.url), 'utf8');

describe('client README, Raw TCP section', () => {
  it('names the relay variable and its real default port, and uses that port in its example', () => {
    const tcp = readme.slice(readme.indexOf('## Raw TCP (Node only)'), readme.indexOf('## Example'));
    const stated = /\(`TCP_PORT`, default (\d+)\)/.exec(tcp);
    expect(stated).not.toBeNull();
    expect(Number(stated![1])).toBe(parseConfig({}).tcpPort);
    expect(tcp).toContain(`new RoomcastClient('tcp://127.0.0.1:${parseConfig({}).tcpPort}')`);
  });
});
