// Worker thread of `pnpm bench:files`: one member sends a file to the room with
// `@roomcast/client/files` while two others receive it; reports the throughput. A thread of its
// own so that cutting and reassembling megabytes does not delay the main thread's cursor clock.
import { parentPort, workerData } from 'node:worker_threads';
import { RoomcastClient } from '@roomcast/client';
import { roomFiles, type RoomFilesOptions } from '@roomcast/client/files';

export interface FilesWorkerData { url: string; room: string; bytes: number; receivers: number; options: RoomFilesOptions }
/** `failures`: how transfers or connections ended early (e.g. a receiver closed with 4503). */
export interface FilesWorkerResult { seconds: number; mibPerSec: number; ok: boolean; failures: string[] }

const { url, room, bytes, receivers, options } = workerData as FilesWorkerData;
const port = parentPort!;

const clients: RoomcastClient[] = [];
const failures: string[] = [];
async function member(role: string) {
  const client = new RoomcastClient(url, { reconnect: false });
  clients.push(client);
  client.on('close', ({ code }) => failures.push(`${role} closed with ${code}`));
  await client.connect();
  const joined = await client.join(room);
  return { client, room: joined, files: roomFiles(joined, options) };
}

const sender = await member('sender');
const rx = await Promise.all(Array.from({ length: receivers }, (_, i) => member(`receiver ${i + 1}`)));
port.postMessage({ ready: true });
// The main thread says when to start (after its baseline phase).
await new Promise<void>((resolve) => port.once('message', () => resolve()));
const data = new Uint8Array(bytes);
for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;
// Each receiver settles with the bytes, or with undefined when its transfer ended early.
const received = rx.map((r, i) => new Promise<Uint8Array | undefined>((resolve) => {
  r.files.on('file_start', (f) => f.done.then(resolve, (err: { reason?: string }) => {
    failures.push(`receiver ${i + 1}: ${err.reason ?? String(err)}`);
    resolve(undefined);
  }));
}));
const started = performance.now();
const out = sender.files.sendFile(data, { name: 'bench.bin' });
const got = await Promise.all(received);
await out.done.catch((err: { reason?: string }) => failures.push(`sender: ${err.reason ?? String(err)}`));
const seconds = (performance.now() - started) / 1000;
const complete = got.filter((g): g is Uint8Array => g !== undefined);
const ok = complete.every((g) => g.length === data.length && g[4096] === data[4096] && g[data.length - 1] === data[data.length - 1]);
port.postMessage({ seconds, mibPerSec: bytes / 1024 ** 2 / seconds, ok, failures: [...failures] } satisfies FilesWorkerResult);
for (const c of clients) c.close();
