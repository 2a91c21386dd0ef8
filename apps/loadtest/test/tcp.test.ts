// The load tester over raw TCP (tcp://host:port, PROTOCOL.md appendix A) against a real relay
// started in-process with its TCP listener on: same scenarios, same JSON fields, wire bytes
// counted with the 4-byte length prefix, and the relay's close code read from its close frame.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseArgs, type Options } from '../src/args.js';
import { REQUIRED_FIELDS } from '../src/report.js';
import { runLoadTest } from '../src/run.js';
import { startLocalRelay, useLocalRelay } from './relay.js';

const relay = useLocalRelay(true);

const small = (o: Partial<Options> = {}): Options => ({
  ...DEFAULTS, url: relay.tcpUrl!, rooms: 2, perRoom: 3, hz: 20, cursor: true, seconds: 1, warmup: 0.2, workers: 0,
  probeRatio: 1, drainMs: 1000, quiet: true, ...o,
});

describe('load tester over raw TCP', () => {
  it('delivers reliable cursors to TCP clients and reports every required JSON field', async () => {
    const r = await runLoadTest(small());
    const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    for (const f of REQUIRED_FIELDS) expect(json, f).toHaveProperty(f);
    expect(r.url).toBe(relay.tcpUrl);
    expect(r.connected).toBe(6);
    expect(r.expected).toBe(r.sent * 2);
    expect(r.delivered).toBe(r.expected);
    expect(r.latency_ms).not.toBeNull();
    expect(r.payload_bytes_per_delivered).toBe(8);
    // 4-byte length prefix + 6 deliver header + 8 cursor payload: 18 per delivery, plus rare control frames.
    expect(r.wire_bytes_per_delivered).toBeGreaterThanOrEqual(18);
    expect(r.wire_bytes_per_delivered).toBeLessThan(19);
    expect(r.errors).toEqual({});
  });

  it('counts latest values from batch frames over TCP', async () => {
    const r = await runLoadTest(small({ cls: 'latest' }));
    expect(r.errors).toEqual({});
    expect(r.delivered).toBeGreaterThan(0);
    expect(r.delivered).toBeLessThanOrEqual(r.expected);
    expect(r.staleness_ms).not.toBeNull();
  });

  it('accepts tcp:// URLs with a port and refuses them without one or with Socket.IO', () => {
    expect(parseArgs(['--url', 'tcp://127.0.0.1:8081']).url).toBe('tcp://127.0.0.1:8081');
    expect(() => parseArgs(['--url', 'tcp://127.0.0.1'])).toThrow(/needs a port/);
    expect(() => parseArgs(['--url', 'tcp://127.0.0.1:8081', '--target', 'socketio'])).toThrow(/Socket.IO has no raw TCP/);
    expect(() => parseArgs(['--url', 'tcp://10.0.0.1:8081'])).toThrow(/not a loopback address/);
  });

  it('reports the relay\'s close code from its close frame when the relay stops', async () => {
    const local = await startLocalRelay(true);
    const run = runLoadTest(small({ url: local.tcpUrl!, seconds: 5, warmup: 0 }));
    setTimeout(() => void local.close(), 800);
    const r = await run;
    expect(r.connections_lost).toBe(6);
    expect(r.errors).toEqual({ closed_1001: 6 });
  });
});
