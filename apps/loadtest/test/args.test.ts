import { describe, expect, it } from 'vitest';
import { DEFAULTS, isLoopbackHost, parseArgs, stripLeadingDashDash, targetUrls, UsageError } from '../src/args.js';

describe('argument parsing', () => {
  it('uses the documented defaults', () => {
    const o = parseArgs([]);
    expect(o).toMatchObject({ url: 'ws://127.0.0.1:8080/ws', rooms: 10, perRoom: 10, cls: 'reliable', target: 'roomcast', saturate: false });
    expect(o).toEqual({ ...DEFAULTS });
  });

  it('ignores a leading -- (pnpm loadtest -- --rooms 5)', () => {
    expect(stripLeadingDashDash(['--', '--rooms', '5'])).toEqual(['--rooms', '5']);
    expect(parseArgs(['--', '--rooms', '5', '--per-room', '3']).rooms).toBe(5);
    expect(parseArgs(['--rooms', '5']).rooms).toBe(5);
  });

  it('parses every option', () => {
    const o = parseArgs(['--url', 'ws://localhost:9/ws', '--rooms', '3', '--per-room', '4', '--hz', '60', '--class', 'latest',
      '--cursor', '--seconds', '2.5', '--warmup', '0', '--ramp', '50', '--workers', '0', '--probe-ratio', '0.5', '--seed', '9',
      '--json', 'a.json', '--html', 'a.html', '--server-pid', '123', '--saturate', '--budget-ms', '50', '--churn', '20',
      '--slow-ratio', '0.05', '--slow-speed', '0.1', '--target', 'roomcast']);
    expect(o).toMatchObject({ rooms: 3, perRoom: 4, hz: 60, cls: 'latest', cursor: true, seconds: 2.5, warmup: 0, ramp: 50,
      workers: 0, probeRatio: 0.5, seed: 9, json: 'a.json', html: 'a.html', serverPid: 123, saturate: true, budgetMs: 50,
      churn: 20, slowRatio: 0.05 });
  });

  it('refuses bad values with the option named', () => {
    expect(() => parseArgs(['--rooms', 'x'])).toThrow(/--rooms/);
    expect(() => parseArgs(['--class', 'fast'])).toThrow(UsageError);
    expect(() => parseArgs(['--payload', '4'])).toThrow(/--payload/);
    expect(() => parseArgs(['--rooms', '1000', '--per-room', '1000'])).toThrow(/at most/);
    expect(() => parseArgs(['--target', 'socketio', '--class', 'latest'])).toThrow(/reliable/);
    expect(() => parseArgs(['--url', 'http://127.0.0.1/'])).toThrow(/ws:\/\//);
  });
});

describe('loopback guard', () => {
  it('recognises loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.0.0.5', '127.255.1.2', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', '192.168.1.1', 'example.com', '0.0.0.0', '::', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a remote target with a clear message unless --allow-remote', () => {
    expect(() => parseArgs(['--url', 'ws://10.1.2.3:8080/ws'])).toThrow(/not a loopback address.*--allow-remote/);
    expect(() => parseArgs(['--url', 'wss://relay.example.com/ws'])).toThrow(/relay\.example\.com/);
    expect(parseArgs(['--url', 'ws://10.1.2.3:8080/ws', '--allow-remote']).url).toBe('ws://10.1.2.3:8080/ws');
    expect(parseArgs(['--url', 'ws://[::1]:8080/ws']).url).toBe('ws://[::1]:8080/ws');
  });

  it('takes several comma-separated URLs (the nodes of a cluster), each checked', () => {
    const o = parseArgs(['--url', 'ws://127.0.0.1:8080/ws, ws://127.0.0.1:8082/ws']);
    expect(targetUrls(o.url)).toEqual(['ws://127.0.0.1:8080/ws', 'ws://127.0.0.1:8082/ws']);
    expect(() => parseArgs(['--url', 'ws://127.0.0.1:8080/ws,ws://10.1.2.3:8082/ws'])).toThrow(/10\.1\.2\.3.*not a loopback/);
    expect(() => parseArgs(['--url', 'ws://127.0.0.1:8080/ws,http://127.0.0.1:8082/'])).toThrow(/ws:\/\//);
    expect(() => parseArgs(['--url', ','])).toThrow(/no URL/);
  });
});
