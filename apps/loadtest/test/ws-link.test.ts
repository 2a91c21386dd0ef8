// The load tester's own WebSocket connection (ws-link.ts) against `ws` servers that do what the
// relay rarely does: fragmented messages, pings, long frames, close codes, broken handshakes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LinkEvents } from '../src/link.js';
import { WsLink } from '../src/ws-link.js';

interface Seen { opened: boolean; frames: { text: string; wire: number }[]; failed?: { code: string; detail: string }; closed?: number }

/** A link to `url` that records what it reports; `done` resolves when it failed or closed. */
function link(url: string): { link: WsLink; seen: Seen; done: Promise<void> } {
  const seen: Seen = { opened: false, frames: [] };
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  const events: LinkEvents = {
    open: () => { seen.opened = true; },
    frame: (frame, wire) => { seen.frames.push({ text: Buffer.from(frame).toString('latin1'), wire }); },
    failed: (code, detail) => { seen.failed = { code, detail }; finish(); },
    closed: (code) => { seen.closed = code; finish(); },
  };
  return { link: new WsLink(url, undefined, events), seen, done };
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

/** A `ws` server on a free loopback port that runs `onConnection` for each client. */
async function wsServer(onConnection: (ws: WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', onConnection);
  cleanup.push(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r); }));
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
}

/** A `wss://` server with the self-signed test certificate for 127.0.0.1 (fixtures/, SAN IP:127.0.0.1, 100 years) that echoes each message with 'echo: '. */
async function tlsEchoServer(): Promise<string> {
  const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  const https = createHttpsServer({ key: fixture('self-signed-key.pem'), cert: fixture('self-signed-cert.pem') });
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo: ${data.toString()}`)));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(); https.close(r); }));
  return `wss://127.0.0.1:${(https.address() as AddressInfo).port}/ws`;
}

const WS_LINK_DIST = fileURLToPath(new URL('../dist/ws-link.js', import.meta.url));

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('WsLink', () => {
  it('delivers whole messages with their wire size, joins fragments, answers pings and reads the close code', async () => {
    let pong: string | undefined;
    const got: string[] = [];
    const url = await wsServer((ws) => {
      ws.on('pong', (data) => { pong = data.toString(); });
      ws.on('message', (data) => {
        got.push(data.toString());
        ws.send(Buffer.from('abc'));
        ws.send('x'.repeat(300)); // 16-bit length: 4-byte header
        ws.send(Buffer.alloc(70_000, 0x61)); // 64-bit length: 10-byte header
        ws.send(Buffer.from('fr'), { fin: false });
        ws.send(Buffer.from('ag'), { fin: true });
        ws.ping('p1');
        setTimeout(() => ws.close(4321, 'bye'), 50);
      });
    });
    const { link: l, seen, done } = link(url);
    await until(() => seen.opened);
    l.send(Buffer.from('hello'));
    await done;
    expect(got).toEqual(['hello']);
    expect(seen.frames.map((f) => [f.text.length, f.wire])).toEqual([[3, 5], [300, 304], [70_000, 70_010], [4, 8]]);
    expect(seen.frames[3]!.text).toBe('frag');
    expect(pong).toBe('p1');
    expect(seen.closed).toBe(4321);
  });

  it('reads nothing while paused (slow receivers) and everything after resume()', async () => {
    let peer: WebSocket | undefined;
    const url = await wsServer((ws) => { peer = ws; });
    const { link: l, seen } = link(url);
    await until(() => seen.opened && peer !== undefined);
    l.pause();
    peer!.send('one');
    peer!.send('two');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.frames).toEqual([]);
    l.resume();
    await until(() => seen.frames.length === 2);
    expect(seen.frames.map((f) => f.text)).toEqual(['one', 'two']);
    l.end();
  });

  it('sends a close frame with 1000 on end()', async () => {
    let code = 0;
    const url = await wsServer((ws) => ws.on('close', (c) => { code = c; }));
    const { link: l, seen, done } = link(url);
    await until(() => seen.opened);
    l.end();
    await done;
    await until(() => code !== 0);
    expect(code).toBe(1000);
    expect(seen.closed).toBe(1000);
  });

  it('reports 1006 when the connection drops without a close frame', async () => {
    const url = await wsServer((ws) => setTimeout(() => ws.terminate(), 20));
    const { seen, done } = link(url);
    await done;
    expect(seen).toMatchObject({ opened: true, closed: 1006 });
  });

  it('fails with http_<status> when the upgrade is refused, and on a wrong Sec-WebSocket-Accept', async () => {
    const servers: Server[] = [];
    const raw = async (answer: string): Promise<string> => {
      const server = createServer((s) => s.once('data', () => s.end(answer)));
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    };
    cleanup.push(async () => { for (const s of servers) await new Promise((r) => s.close(r)); });
    const refused = link(await raw('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    await refused.done;
    expect(refused.seen.failed).toEqual({ code: 'http_404', detail: 'HTTP 404 Not Found' });
    const forged = link(await raw('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n'));
    await forged.done;
    expect(forged.seen).toMatchObject({ opened: false, failed: { code: 'connect_failed', detail: 'Invalid Sec-WebSocket-Accept header' } });
  });

  it('fails with connect_refused when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const { seen, done } = link(`ws://127.0.0.1:${port}/ws`);
    await done;
    expect(seen.failed?.code).toBe('connect_refused');
  });

  it('speaks TLS for wss:// (and, like any TLS client, refuses a self-signed certificate)', async () => {
    const { seen, done } = link(await tlsEchoServer());
    await done;
    expect(seen.failed).toEqual({ code: 'connect_failed', detail: 'self-signed certificate' });
  });

  it('over wss:// to a certificate the process trusts (NODE_EXTRA_CA_CERTS), frames go both ways', async () => {
    if (!existsSync(WS_LINK_DIST)) throw new Error('apps/loadtest/dist/ws-link.js is missing: build first (`pnpm test` from the repository root builds)');
    const url = await tlsEchoServer();
    // NODE_EXTRA_CA_CERTS is read when a process starts: the link runs in a child that trusts the test certificate.
    const script = `
      import { WsLink } from ${JSON.stringify(pathToFileURL(WS_LINK_DIST).href)};
      const l = new WsLink(${JSON.stringify(url)}, undefined, {
        open: () => l.send(new TextEncoder().encode('hello')),
        frame: (f) => { console.log('got ' + Buffer.from(f).toString()); l.end(); },
        failed: (code, detail) => { console.log('failed ' + code + ': ' + detail); process.exit(1); },
        closed: (code) => { console.log('closed ' + code); process.exit(0); },
      });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('./fixtures/self-signed-cert.pem', import.meta.url)) },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(out.trim().split('\n')).toEqual(['got echo: hello', 'closed 1000']);
    expect(code).toBe(0);
  });
});
