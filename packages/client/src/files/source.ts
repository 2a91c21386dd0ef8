// What `sendFile` accepts, read as chunks of at most N bytes: bytes in memory, a Blob/File
// (sliced lazily, so a large file is never in memory at once), or any async iterable of bytes
// (a Node Readable, a WHATWG ReadableStream in runtimes where it is iterable).

/** A browser `Blob`/`File` (or Node's `Blob`): the members used here. */
export interface BlobLike {
  readonly size: number;
  readonly type: string;
  readonly name?: string;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Anything `sendFile` can send. Streams need `options.size`. */
export type FileSource = Uint8Array | ArrayBuffer | BlobLike | AsyncIterable<Uint8Array>;

export function isBlobLike(data: unknown): data is BlobLike {
  const b = data as BlobLike;
  return typeof b === 'object' && b !== null && typeof b.size === 'number' && typeof b.slice === 'function' && typeof b.arrayBuffer === 'function';
}

/** The size of `data` if it knows it. */
export function knownSize(data: FileSource): number | undefined {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (isBlobLike(data)) return data.size;
  return undefined;
}

/** Yields `data` in chunks of at most `max` bytes (the last may be shorter; none is empty). */
export async function* chunks(data: FileSource, max: number): AsyncGenerator<Uint8Array> {
  if (data instanceof ArrayBuffer) data = new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let at = 0; at < bytes.length; at += max) yield bytes.subarray(at, at + max);
    return;
  }
  if (isBlobLike(data)) {
    for (let at = 0; at < data.size; at += max) yield new Uint8Array(await data.slice(at, at + max).arrayBuffer());
    return;
  }
  // A stream: re-cut whatever sizes it yields into chunks of `max`.
  let pending = new Uint8Array(0);
  for await (const piece of data as AsyncIterable<Uint8Array>) {
    let at = 0;
    if (pending.length > 0) {
      const take = Math.min(max - pending.length, piece.length);
      const joined = new Uint8Array(pending.length + take);
      joined.set(pending, 0);
      joined.set(piece.subarray(0, take), pending.length);
      pending = joined;
      at = take;
      if (pending.length < max) continue;
      yield pending;
      pending = new Uint8Array(0);
    }
    for (; at + max <= piece.length; at += max) yield piece.subarray(at, at + max);
    if (at < piece.length) pending = piece.slice(at);
  }
  if (pending.length > 0) yield pending;
}
