// CPU cost per frame of the load tester's WebSocket transport: the `ws` library vs ws-link.ts,
// measured alone (no relay, no driver). A uWS server process (the relay's uWebSockets.js) either
// publishes one 60-byte binary frame per tick to every client (rx) or counts what they send (tx);
// each client process opens N connections with one implementation and reports its own CPU time
// (process.cpuUsage: user + system, so the kernel's share of each read and write counts) per frame.
// Rounds alternate the implementations, so a busy machine slows both alike.
//
//   node apps/loadtest/scripts/link-cost.mjs [--clients 1000] [--hz 30] [--seconds 5] [--rounds 3]
// (needs the built load tester: pnpm --filter @roomcast/loadtest build)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({ options: {
  role: { type: 'string', default: 'main' }, impl: { type: 'string' }, mode: { type: 'string' }, port: { type: 'string' },
  clients: { type: 'string', default: '1000' }, hz: { type: 'string', default: '30' }, seconds: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '3' },
} });
const N = Number(o.clients);
const HZ = Number(o.hz);
const SECONDS = Number(o.seconds);

if (o.role === 'server') {
  const uWS = createRequire(new URL('../../relay/package.json', import.meta.url))('uWebSockets.js');
  const frame = new Uint8Array(60).fill(7);
  const app = uWS.App().ws('/ws', {
    open: (ws) => ws.subscribe('all'),
    message: () => {}, // tx: the frames are only read (uWS parses and unmasks each)
  });
  app.listen('127.0.0.1', 0, (token) => {
    process.stdout.write(`${JSON.stringify({ port: uWS.us_socket_local_port(token) })}\n`);
  });
  if (o.mode === 'rx') setInterval(() => app.publish('all', frame, true), 1000 / HZ);
  process.on('SIGTERM', () => process.exit(0));
} else if (o.role === 'client') {
  const url = `ws://127.0.0.1:${o.port}/ws`;
  let frames = 0;
  const links = [];
  const payload = new Uint8Array(15).fill(1);
  let opened = 0;
  const { default: WebSocket } = await import('ws');
  const { WsLink } = await import('../dist/ws-link.js');
  const allOpen = new Promise((resolve) => {
    const onOpen = () => { if (++opened === N) resolve(); };
    if (o.impl === 'ws') {
      for (let i = 0; i < N; i++) {
        const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
        ws.binaryType = 'nodebuffer';
        ws.on('open', onOpen);
        ws.on('message', () => { frames++; });
        links.push({ send: (f) => ws.send(f), close: () => ws.terminate() });
      }
    } else {
      for (let i = 0; i < N; i++) {
        const link = new WsLink(url, undefined, { open: onOpen, frame: () => { frames++; }, failed: (c, d) => { throw new Error(`${c}: ${d}`); }, closed() {} });
        links.push({ send: (f) => link.send(f), close: () => link.destroy() });
      }
    }
  });
  await allOpen;
  // tx: every client sends one 15-byte frame per tick (the size of a cursor data frame).
  if (o.mode === 'tx') setInterval(() => { for (const l of links) { l.send(payload); frames++; } }, 1000 / HZ);
  await new Promise((r) => setTimeout(r, 1000));
  const f0 = frames;
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const c = process.cpuUsage(c0);
  const n = frames - f0;
  const cpuUs = c.user + c.system;
  process.stdout.write(`${JSON.stringify({ impl: o.impl, mode: o.mode, frames: n, cpu_us: cpuUs, us_per_frame: +(cpuUs / n).toFixed(2), system_share: +(c.system / cpuUs).toFixed(2) })}\n`);
  for (const l of links) l.close();
  process.exit(0);
} else {
  const self = new URL(import.meta.url).pathname;
  const run = (args) => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (args.includes('server') && out.includes('\n')) resolve({ child, line: JSON.parse(out.split('\n')[0]) });
    });
    child.on('exit', (code) => (code === 0 ? resolve({ line: JSON.parse(out.trim().split('\n').pop()) }) : reject(new Error(`exit ${code}`))));
  });
  const common = ['--clients', String(N), '--hz', String(HZ), '--seconds', String(SECONDS)];
  for (const mode of ['rx', 'tx']) {
    const server = await run(['--role', 'server', '--mode', mode, ...common]);
    const results = { ws: [], link: [] };
    for (let r = 0; r < Number(o.rounds); r++) {
      for (const impl of ['ws', 'link']) {
        const { line } = await run(['--role', 'client', '--impl', impl, '--mode', mode, '--port', String(server.line.port), ...common]);
        results[impl].push(line);
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
    }
    server.child.kill('SIGTERM');
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ws = median(results.ws.map((x) => x.us_per_frame));
    const link = median(results.link.map((x) => x.us_per_frame));
    process.stdout.write(`${mode}: CPU-µs per frame, median of ${o.rounds}: ws ${ws}, ws-link ${link} (${((1 - link / ws) * 100).toFixed(0)}% less)\n`);
  }
}
