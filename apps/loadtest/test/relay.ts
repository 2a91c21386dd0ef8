// The relay the load tester's tests run against: started in-process on 127.0.0.1 port 0 with
// logging off and no static files; the raw-TCP listener only when a test file needs it.
import { afterAll, beforeAll } from 'vitest';
import { parseConfig, startRelay, type RelayServer } from '@roomcast/relay';

/** Starts a relay (TCP listener on a free port when `tcp`); the caller closes it. */
export function startLocalRelay(tcp = false): Promise<RelayServer> {
  return startRelay({
    config: parseConfig({ TCP_PORT: tcp ? '0' : 'off', RELAY_STATIC_DIR: '' }),
    overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent' },
  });
}

/** One relay for the whole test file (beforeAll/afterAll); read its URLs inside tests. */
export function useLocalRelay(tcp = false): { readonly wsUrl: string; readonly tcpUrl: string | undefined } {
  let relay: RelayServer | undefined;
  beforeAll(async () => { relay = await startLocalRelay(tcp); });
  afterAll(() => relay?.close());
  return {
    get wsUrl() { return relay!.wsUrl; },
    get tcpUrl() { return relay!.tcpUrl; },
  };
}
