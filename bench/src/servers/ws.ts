// Baseline: a naive relay on the `ws` package. Rooms are sets of sockets; every data frame is
// sent to each other member in a JavaScript loop. Compression off.
import { WebSocketServer, type WebSocket } from 'ws';
import { announce, handleMessage, listenPort, memberLeft, RoomTable } from './wire.js';

const rooms = new RoomTable();
const members = new Map<number, Set<WebSocket>>();
const wss = new WebSocketServer({ host: '127.0.0.1', port: listenPort(), perMessageDeflate: false, skipUTF8Validation: true });

wss.on('connection', (ws) => {
  const joined = new Map<number, number>();
  const names = new Map<number, string>();
  ws.on('message', (data: Buffer) => {
    const action = handleMessage(new Uint8Array(data.buffer, data.byteOffset, data.length), joined, rooms);
    if (action.kind === 'broadcast') {
      for (const peer of members.get(action.handle) ?? []) if (peer !== ws) peer.send(action.frame);
    } else if (action.kind === 'reply') ws.send(action.frame);
    else if (action.kind === 'joined') {
      const { handle } = action.membership;
      names.set(handle, action.name);
      let set = members.get(handle);
      if (!set) members.set(handle, (set = new Set()));
      ws.send(action.reply);
      for (const peer of set) peer.send(action.announce);
      set.add(ws);
    }
  });
  ws.on('close', () => {
    for (const [handle, member] of joined) {
      const set = members.get(handle);
      set?.delete(ws);
      const frame = memberLeft(handle, member);
      for (const peer of set ?? []) peer.send(frame);
      if (set?.size === 0) members.delete(handle);
      rooms.leave(names.get(handle)!);
    }
  });
  ws.on('error', () => {});
});
wss.on('listening', () => announce((wss.address() as { port: number }).port));
