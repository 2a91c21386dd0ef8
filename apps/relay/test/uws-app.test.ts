// The uWebSockets.js app (src/uws/app.ts): the native binary is the one loaded (not the slow
// JavaScript fallback), a busy port fails start-up naming PORT, and closing the relay releases
// its port at once.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nativeUwsBinary } from '../src/index.js';
import { bindsAt, startTestRelay, useRelay } from './helpers.js';

const relay = useRelay();

describe('uWebSockets.js app', () => {
  it('finds the native binary uWebSockets.js loaded for this platform and Node ABI', () => {
    const binary = nativeUwsBinary();
    expect(binary).toMatch(new RegExp(`/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`));
    expect(existsSync(binary!)).toBe(true);
  });

  it('a busy port fails start-up with a message naming the address and PORT', async () => {
    const first = await relay.start({ tcpPort: 'off' });
    await expect(startTestRelay({ port: first.port, tcpPort: 'off' })).rejects
      .toThrow(`could not listen on 127.0.0.1:${first.port}: the port is in use or the address is not available (set PORT to another port)`);
  });

  it('closing the relay releases its port: another listener can bind it at once', async () => {
    const server = await startTestRelay({ tcpPort: 'off' });
    const { port } = server;
    await server.close();
    await bindsAt(port);
  });
});
