// The README's /metrics list against a real scrape of a started relay: every metric it names
// exists (with the labels it names), and every Roomcast metric the relay exports is named there.
// Node's default process metrics are covered by the README's "Node process metrics" sentence,
// whichever prefix they carry (roomcast_process_* or roomcast_process_process_*).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { httpGet, RawClient, startTestRelay } from './helpers.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** `name` or `name{label}` for each metric in the README's GET /metrics item. */
function readmeMetrics(): { name: string; label?: string }[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('- `GET /metrics`');
  const item = text.slice(start, text.indexOf('\n- ', start + 1));
  return [...item.matchAll(/`(roomcast_[a-z0-9_]+)(?:\{([a-z_]+)\})?`/g)].map((m) => (m[2] ? { name: m[1]!, label: m[2] } : { name: m[1]! }));
}

/** The cluster bus's metrics exist only on a node with REDIS_URL set: test/cluster/*.test.ts read them. */
const isBusMetric = (name: string): boolean => name.startsWith('roomcast_bus_');

/** Node's default metrics (prom-client collectDefaultMetrics), under either prefix. */
const isProcessMetric = (name: string): boolean => /^roomcast_(process_)?(process|nodejs)_/.test(name);

let server: RelayServer;
let families: Map<string, string>;
let body: string;
beforeAll(async () => {
  server = await startTestRelay({ maxProtocolErrors: 1 });
  // One close, so that roomcast_closes_total{reason} has a sample to show its label.
  const client = await RawClient.open(server.wsUrl);
  client.send(Uint8Array.of(0xff));
  await client.closed;
  body = (await httpGet(server, '/metrics')).body;
  families = new Map([...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
});
afterAll(async () => {
  await server.close();
});

describe('README metrics list', () => {
  const all = readmeMetrics();
  const listed = all.filter((m) => !isBusMetric(m.name));
  const bus = all.filter((m) => isBusMetric(m.name));

  it('names metrics (the checks below are not vacuous)', () => {
    expect(listed.length).toBeGreaterThanOrEqual(20);
  });

  it('every metric the README names is in a real scrape', () => {
    const missing = listed.filter((m) => !families.has(m.name)).map((m) => m.name);
    expect(missing).toEqual([]);
  });

  it('every label the README names is the label the relay exports', () => {
    for (const { name, label } of listed.filter((m) => m.label !== undefined)) {
      expect(body, `${name}{${label}}`).toMatch(new RegExp(`^${name}\\{${label}="[a-z_]+"\\} `, 'm'));
    }
  });

  it('every Roomcast metric in the scrape is named in the README', () => {
    const named = new Set(listed.map((m) => m.name));
    const unlisted = [...families.keys()].filter((name) => !isProcessMetric(name) && !named.has(name));
    expect(unlisted).toEqual([]);
  });

  it('every Roomcast metric the README names is read by metrics(-auth, -admission).test.ts (or the behaviour\'s own test) after the behaviour it counts', () => {
    const tests = ['./metrics.test.ts', './metrics-auth.test.ts', './metrics-admission.test.ts', './room-expiry.test.ts']
      .map((file) => readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8')).join('\n');
    const unread = listed.filter((m) => !isProcessMetric(m.name) && !tests.includes(`'${m.name}`)).map((m) => m.name);
    expect(unread).toEqual([]);
  });

  it('every cluster-bus metric the README names is read by a cluster test (real redis-server, two nodes)', () => {
    expect(bus.length).toBeGreaterThanOrEqual(5);
    const dir = fileURLToPath(new URL('./cluster/', import.meta.url));
    const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(dir + f, 'utf8')).join('\n');
    expect(bus.filter((m) => !tests.includes(m.name)).map((m) => m.name)).toEqual([]);
  });

  it('the process metrics the README promises are there (event-loop lag among them)', () => {
    const processMetrics = [...families.keys()].filter(isProcessMetric);
    expect(processMetrics.some((n) => /nodejs_eventloop_lag_seconds$/.test(n))).toBe(true);
    expect(processMetrics.some((n) => /process_cpu_user_seconds_total$/.test(n))).toBe(true);
  });
});
