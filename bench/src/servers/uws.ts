// Baseline: bare uWebSockets.js pub/sub. Each client subscribes to its room's topic and every
// data frame is published from the socket (so the sender is skipped), in C++. Compression off.
import uWS from 'uWebSockets.js';
import { announce, handleMessage, listenPort, memberLeft, RoomTable } from './wire.js';

interface Data { joined: Map<number, number>; names: Map<number, string> }

const rooms = new RoomTable();
const app = uWS.App();
app.ws<Data>('/*', {
  compression: uWS.DISABLED,
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 64 * 1024 * 1024,
  idleTimeout: 0,
  upgrade: (res, req, context) => {
    res.upgrade<Data>({ joined: new Map(), names: new Map() },
      req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
  },
  message: (ws, message) => {
    const data = ws.getUserData();
    const action = handleMessage(new Uint8Array(message), data.joined, rooms);
    if (action.kind === 'broadcast') ws.publish(`r${action.handle}`, action.frame, true);
    else if (action.kind === 'reply') ws.send(action.frame, true);
    else if (action.kind === 'joined') {
      data.names.set(action.membership.handle, action.name);
      ws.send(action.reply, true);
      ws.publish(`r${action.membership.handle}`, action.announce, true);
      ws.subscribe(`r${action.membership.handle}`);
    }
  },
  close: (_ws, _code, _msg) => {
    const data = _ws.getUserData();
    for (const [handle, member] of data.joined) {
      app.publish(`r${handle}`, memberLeft(handle, member), true);
      rooms.leave(data.names.get(handle)!);
    }
  },
});
app.listen('127.0.0.1', listenPort(), (socket) => {
  if (!socket) {
    process.stderr.write('uws baseline: listen failed\n');
    process.exit(1);
  }
  announce(uWS.us_socket_local_port(socket));
});
