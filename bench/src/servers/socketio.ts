// Baseline: Socket.IO, websocket transport only, compression off. A client joins with
// emit('join', room, ack) and every event is relayed with socket.to(room).emit(event, socket.id, data).
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
  // Recipients must know whose cursor moved: a Socket.IO app sends the sender's id along (Roomcast
  // stamps a member id into every frame), so the baseline relays socket.id with each event.
  socket.on('c', (data: unknown) => { if (room) socket.to(room).emit('c', socket.id, data); });
  socket.on('b', (data: unknown) => { if (room) socket.to(room).emit('b', socket.id, data); });
});
http.listen(listenPort(), '127.0.0.1', () => announce((http.address() as { port: number }).port));
