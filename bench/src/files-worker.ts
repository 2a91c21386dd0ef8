// Worker thread of `pnpm bench:files`: one member sends a file to the room with
// `@roomcast/client/files` while two others receive it; reports the throughput. A thread of its
// own so that cutting and reassembling megabytes does not delay the main thread's cursor clock.
import { parentPort, workerData } from 'node:worker_threads';
import { RoomcastClient } from '@roomcast/client';
import { roomFiles, type RoomFilesOptions } from '@roomcast/client/files';

export interface FilesWorkerData { url: string; room: string; bytes: number; receivers: number; options: RoomFilesOptions }
export interface FilesWorkerResult { seconds: number; mibPerSec: number; ok: boolean }

const { url, room, bytes, receivers, options } = workerData as FilesWorkerData;
const port = parentPort!;

const clients: RoomcastClient[] = [];
async function member() {
  const client = new RoomcastClient(url, { reconnect: false });
  clients.push(client);
  await client.connect();
  const joined = await client.join(room);
  return { client, room: joined, files: roomFiles(joined, options) };
}

const sender = await member();
const rx = await Promise.all(Array.from({ length: receivers }, () => member()));
port.postMessage({ ready: true });
// The main thread says when to start (after its baseline phase).
await new Promise<void>((resolve) => port.once('message', () => resolve()));
const data = new Uint8Array(bytes);
for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;
const received = rx.map((r) => new Promise<Uint8Array>((resolve, reject) => {
  r.files.on('file_start', (f) => f.done.then(resolve, reject));
}));
const started = performance.now();
const out = sender.files.sendFile(data, { name: 'bench.bin' });
const got = await Promise.all(received);
await out.done;
const seconds = (performance.now() - started) / 1000;
const ok = got.every((g) => g.length === data.length && g[4096] === data[4096] && g[data.length - 1] === data[data.length - 1]);
port.postMessage({ seconds, mibPerSec: bytes / 1024 ** 2 / seconds, ok } satisfies FilesWorkerResult);
for (const c of clients) c.close();
