// Attacker process for bystander.stress.ts: its own event loop, so the bystander's ping timings
// in the test process are not delayed by the attackers' sending. Plain JavaScript (run with node
// directly); frames come ready-made from the test.
// argv: url, comma-separated source addresses, frame hex, "join" or "nojoin", frames per second
// per connection. Sends at that pace until SIGTERM, reconnecting when the relay closes a
// connection; prints {"sent":N} when stopped.
import WebSocket from 'ws';

const [url, addressList, frameHex, joinMode, perSecText] = process.argv.slice(2);
const template = Buffer.from(frameHex, 'hex');
const perSec = Number(perSecText);
let sent = 0;
let stopped = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `{type, id, ...}` control frames: hello, and join with a room name (MessagePack by hand: fixmaps of short strings). */
const str = (s) => Buffer.concat([Buffer.from([0xa0 | s.length]), Buffer.from(s)]);
const hello = Buffer.concat([Buffer.from([0x01, 0x83]), str('type'), str('hello'), str('id'), Buffer.from([0x01]), str('v'), Buffer.from([0x02])]);
const join = (room) => Buffer.concat([Buffer.from([0x01, 0x83]), str('type'), str('join'), str('id'), Buffer.from([0x02]), str('room'), str(room)]);

async function run(address) {
  while (!stopped) {
    const ws = new WebSocket(url, { localAddress: address });
    ws.on('error', () => {});
    const opened = await new Promise((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('unexpected-response', () => resolve(false));
      ws.once('error', () => resolve(false));
    });
    if (!opened) { await sleep(100); continue; }
    let open = true;
    ws.on('close', () => { open = false; });
    ws.send(hello);
    let frame = template;
    if (joinMode === 'join') {
      // The presence frame names room handle 1..: read the handle from `joined` (the byte after "handle").
      const handle = await new Promise((resolve) => {
        ws.once('close', () => resolve(1));
        ws.on('message', (data) => {
          const i = data.indexOf('handle');
          if (i > 0 && data.includes('joined')) resolve(data[i + 6]);
        });
        ws.send(join(`attack-${address}`));
      });
      frame = Buffer.from(template);
      const r = frame.indexOf('room');
      frame[r + 4] = handle;
    }
    const started = performance.now();
    let mine = 0;
    while (!stopped && open) {
      const due = Math.floor(((performance.now() - started) / 1000) * perSec);
      for (; mine < due; mine++) { ws.send(frame); sent++; }
      await sleep(10);
    }
    ws.terminate();
  }
}

const runs = addressList.split(',').map(run);
process.on('SIGTERM', () => { stopped = true; });
await Promise.all(runs);
process.stdout.write(`${JSON.stringify({ sent })}\n`);
