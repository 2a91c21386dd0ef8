// HTTP on the relay port: /healthz, Prometheus /metrics, and the static demo at /.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { RawClient, httpGet, startTestRelay } from './helpers.js';

let server: RelayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Reads one sample from Prometheus text. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} not found`);
  return Number(line.slice(name.length + 1));
}

describe('http', () => {
  it('GET /healthz answers 200 with a small JSON status', async () => {
    server = await startTestRelay();
    const res = await httpGet(server, '/healthz');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok', connections: 0, rooms: 0, version: expect.any(String) });
  });

  it('answers are never cached: /healthz, /metrics and static files carry cache-control no-cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomcast-static-'));
    writeFileSync(join(dir, 'index.html'), '<h1>demo</h1>');
    server = await startTestRelay({ staticDir: dir });
    for (const path of ['/healthz', '/metrics', '/', '/nope']) {
      const res = await fetch(server.httpUrl + path);
      await res.text();
      expect([path, res.headers.get('cache-control')]).toEqual([path, 'no-cache']);
    }
  });

  it('GET /metrics counts connections, rooms, frames, bytes, errors and limit hits', async () => {
    server = await startTestRelay({ maxPayloadBytes: 8 });
    const a = await RawClient.open(server.wsUrl);
    const b = await RawClient.open(server.wsUrl);
    const ja = await a.join('m');
    await b.join('m');
    a.sendData(ja.handle, new Uint8Array([1, 2, 3]));
    await b.nextDeliver();
    a.sendData(ja.handle, new Uint8Array(9));
    await a.nextError('payload_too_large');
    const res = await httpGet(server, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    const text = res.body;
    expect(sample(text, 'roomcast_connections')).toBe(2);
    expect(sample(text, 'roomcast_rooms')).toBe(1);
    expect(sample(text, 'roomcast_members')).toBe(2);
    expect(sample(text, 'roomcast_frames_in_total{kind="reliable"}')).toBe(2);
    expect(sample(text, 'roomcast_frames_out_total{kind="reliable"}')).toBe(1);
    expect(sample(text, 'roomcast_errors_total{code="payload_too_large"}')).toBe(1);
    expect(sample(text, 'roomcast_limit_hits_total{limit="payload_bytes"}')).toBe(1);
    expect(sample(text, 'roomcast_backpressure_closes_total')).toBe(0);
    expect(text).toContain('roomcast_nodejs_eventloop_lag_seconds');
    expect(text).toContain('roomcast_process_cpu_seconds_total');
    expect(text).not.toContain('process_process');
    a.ws.terminate();
    b.ws.terminate();
  });

  it('serves the static demo folder at / and 404s unknown paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomcast-static-'));
    writeFileSync(join(dir, 'index.html'), '<h1>demo</h1>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    server = await startTestRelay({ staticDir: dir });
    expect(await httpGet(server, '/')).toMatchObject({ status: 200, body: '<h1>demo</h1>', type: 'text/html; charset=utf-8' });
    expect(await httpGet(server, '/app.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect((await httpGet(server, '/nope')).status).toBe(404);
    expect((await httpGet(server, '/../../etc/passwd')).status).toBe(404);
  });

  it('says how to build the demo when the folder is missing', async () => {
    server = await startTestRelay({ staticDir: join(tmpdir(), 'roomcast-does-not-exist') });
    const res = await httpGet(server, '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('WebSocket endpoint: /ws');
  });
});
