// Issue 14, item 4 (slow partial frames), measured: starts the built relay of the checkout at
// ROOT (default: this repository) with raw TCP on a free port, opens 2,000 TCP clients that say
// hello, then announce a 16,000-byte frame and send 1 byte of it, and prints the relay's RSS
// growth (from /proc) per such client. That the relay then closes them at the frame deadline is
// asserted in apps/relay/test/tcp-deadline.test.ts.
//   node bench/scripts/tcp-trickle.mjs [ROOT]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
const root = process.argv[2] ?? new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const N = 2000;
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const child = spawn(process.execPath, [`${root}/apps/relay/dist/main.js`], { env: { ...process.env, HOST: '127.0.0.1', PORT: '0', TCP_PORT: '0', LOG_LEVEL: 'info', RELAY_STATIC_DIR: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
const tcpPort = await new Promise((r) => child.stdout.on('data', (d) => { for (const l of d.toString().split('\n')) { try { const v = JSON.parse(l); if (v.tcpPort) r(v.tcpPort); } catch {} } }));
const hello = Buffer.from('0000002d0184a474797065a568656c6c6fa2696401a17601a6636c69656e74b1726f6f6d636173742d6a732f302e312e30', 'hex');
await new Promise((r) => setTimeout(r, 500));
const before = rss(child.pid);
const socks = [];
for (let i = 0; i < N; i++) {
  const s = connect({ port: tcpPort, host: '127.0.0.1' });
  s.on('error', () => {});
  s.on('connect', () => { s.write(hello); setTimeout(() => s.write(Buffer.from([0, 0, 0x3e, 0x80, 1])), 300); });
  socks.push(s);
  if (i % 200 === 199) await new Promise((r) => setTimeout(r, 50));
}
await new Promise((r) => setTimeout(r, 2500));
const after = rss(child.pid);
console.log(JSON.stringify({ root, connections: N, rssBeforeMiB: +before.toFixed(1), rssAfterMiB: +after.toFixed(1), perConnKiB: +(((after - before) * 1024) / N).toFixed(2) }));
for (const s of socks) s.destroy();
child.kill();
