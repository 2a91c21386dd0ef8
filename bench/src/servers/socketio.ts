// Baseline: Socket.IO, websocket transport only, compression off. A client joins with
// emit('join', room, ack) and every event is relayed with socket.to(room).emit(...).
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { announce, listenPort } from './wire.js';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false, pingInterval: 25_000, pingTimeout: 60_000 });

io.on('connection', (socket) => {
  let room: string | undefined;
  socket.on('join', (name: string, ack?: () => void) => {
    room = String(name);
    void socket.join(room);
    if (typeof ack === 'function') ack();
  });
  socket.on('c', (data: unknown) => { if (room) socket.to(room).emit('c', data); });
  socket.on('b', (data: unknown) => { if (room) socket.to(room).emit('b', data); });
});
http.listen(listenPort(), '127.0.0.1', () => announce((http.address() as { port: number }).port));
