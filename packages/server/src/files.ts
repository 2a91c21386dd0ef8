// Sending a file from the backend into a room (PROTOCOL.md appendix B), over the server API's
// publish call: a `start`, then chunks, each one reliable frame with sender 0, so SDK members get
// it exactly as a file from another member. Paced, because every chunk is charged to the room's
// output budget once per recipient (cursors need the rest of it) and every call to this key's
// request budget (RELAY_API_RATE_PER_SEC); the relay's own slow-consumer rules handle members that
// read too slowly (appendix B.3). The relay never reads these payloads.
import { FILE_CHUNK_HEADER_BYTES, FileCancelReason, encodeFileCancel, encodeFileChunk, encodeFileStart } from '@roomcast/protocol/files';
import type { ApiLimitsAnswer } from '@roomcast/protocol/server-api';

export interface SendFileOptions {
  /** File name the members see (at most 1024 UTF-8 bytes). */
  name: string;
  /** Media type, e.g. `image/png` (at most 255 bytes). Default `application/octet-stream`. */
  type?: string;
  /** Send to this member alone; default every member present when the transfer starts. */
  to?: number;
  /** Largest publish body; default the relay's RELAY_MAX_PAYLOAD_BYTES (`GET /api/v1/limits`). Chunks are this minus the 17-byte chunk header. */
  maxPayloadBytes?: number;
  /**
   * Bytes per second the transfer may make the relay send, counted like the room's output budget
   * (a chunk to N members counts N times). Default: the rooms' file budget the relay announces
   * (`fileBytesPerSec` of `GET /api/v1/limits`, as SDK members get it in `joined`: half of
   * RELAY_ROOM_MAX_BYTES_OUT_PER_SEC), so cursors keep the other half.
   */
  roomBytesPerSec?: number;
  /**
   * Publish calls per second. Default half of the relay's RELAY_API_RATE_PER_SEC (100 at its
   * default), so the key's other calls still fit; no request limit when the relay has none.
   */
  requestsPerSec?: number;
  /** Cancels the transfer: the members get `cancel` (`remote_cancelled`) and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each published chunk with the bytes sent so far. */
  onProgress?: (sent: number, size: number) => void;
}

export interface SentFile {
  /** Transfer id (u32) in the room. */
  id: number;
  size: number;
  /** Connections the last frame of the transfer reached (0: everyone left, or the member `to` left). */
  recipients: number;
  /** True when every chunk was published to at least one member. */
  complete: boolean;
}

/** One publish call: resolves to the connections reached. */
export type Publish = (payload: Uint8Array, to: number | undefined) => Promise<number>;

/** The relay's defaults, for a relay that does not answer `GET /api/v1/limits`. */
const DEFAULT_LIMITS: ApiLimitsAnswer = { maxPayloadBytes: 16_384, fileBytesPerSec: 4 * 1024 * 1024, apiRatePerSec: 200, apiBurst: 400 };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `data` as one transfer through `publish`, paced by the relay's `limits` (undefined: its
 * defaults); see RoomcastApi.sendFile.
 */
export async function sendFile(publish: Publish, data: Uint8Array, options: SendFileOptions, limits = DEFAULT_LIMITS): Promise<SentFile> {
  const maxPayload = options.maxPayloadBytes ?? limits.maxPayloadBytes;
  const chunkBytes = maxPayload - FILE_CHUNK_HEADER_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`sendFile: maxPayloadBytes ${maxPayload} leaves no room for file data`);
  const roomRate = options.roomBytesPerSec ?? limits.fileBytesPerSec;
  const callRate = options.requestsPerSec ?? (limits.apiRatePerSec > 0 ? limits.apiRatePerSec / 2 : Number.POSITIVE_INFINITY);
  if (!(roomRate > 0) || !(callRate > 0)) throw new RangeError('sendFile: roomBytesPerSec and requestsPerSec must be above 0');
  const id = Math.floor(Math.random() * 0x1_0000_0000) >>> 0;
  const { to, signal } = options;
  const start = encodeFileStart(id, data.length, options.name, options.type ?? 'application/octet-stream');
  signal?.throwIfAborted();

  // Each frame is due one interval after the previous one (no burst): the larger of its share of
  // the room budget (bytes x recipients) and of the request budget.
  let due = performance.now();
  const pace = async (frameBytes: number, recipients: number): Promise<void> => {
    due += Math.max((frameBytes * Math.max(1, recipients) * 1000) / roomRate, 1000 / callRate);
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    else due = performance.now();
  };
  const result = (recipients: number, complete: boolean): SentFile => ({ id, size: data.length, recipients, complete });

  let recipients: number;
  try {
    recipients = await publish(start, to);
  } catch (err) {
    if (to !== undefined && (err as { code?: string }).code === 'member_not_found') return result(0, false);
    throw err;
  }
  if (recipients === 0) return result(0, data.length === 0);
  let sent = 0;
  try {
    while (sent < data.length) {
      signal?.throwIfAborted();
      const piece = data.subarray(sent, sent + chunkBytes);
      const frame = encodeFileChunk(id, sent, piece);
      await pace(frame.length, recipients);
      signal?.throwIfAborted();
      recipients = await publish(frame, to);
      if (recipients === 0) return result(0, false);
      sent += piece.length;
      options.onProgress?.(sent, data.length);
    }
  } catch (err) {
    // The member `to` left: nobody is left to tell.
    if (to !== undefined && (err as { code?: string }).code === 'member_not_found') return result(0, false);
    const reason = signal?.aborted === true ? FileCancelReason.Cancelled : FileCancelReason.Failed;
    // Best effort: tell the members to drop what they have (they would otherwise wait for the rest).
    await publish(encodeFileCancel(id, reason), to).catch(() => undefined);
    throw err;
  }
  return result(recipients, true);
}
