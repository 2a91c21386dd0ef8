// Cursor helper: a pointer position as 3 bytes, for `room.sendLatest(CURSOR_KEY, …)`.
// x and y are fractions of a shared coordinate space (e.g. the page's width and height), each
// quantised to 12 bits (4096 steps: about one pixel on a 4K-wide page).

/** The `latest` key the SDK's cursor helpers use by convention. */
export const CURSOR_KEY = 0;
/** Bytes of an encoded cursor. */
export const CURSOR_BYTES = 3;
const STEPS = 4095;

function quantise(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.round(Math.min(1, Math.max(0, v)) * STEPS);
}

/** Encodes x, y in [0, 1] (clamped) as 3 bytes: 12 bits of x, then 12 bits of y, big-endian. */
export function encodeCursor(x: number, y: number): Uint8Array {
  const qx = quantise(x);
  const qy = quantise(y);
  return Uint8Array.of(qx >> 4, ((qx & 0x0f) << 4) | (qy >> 8), qy & 0xff);
}

/** Decodes a cursor; undefined when the payload is not 3 bytes (e.g. empty: the cursor was cleared). */
export function decodeCursor(payload: Uint8Array): { x: number; y: number } | undefined {
  if (payload.length !== CURSOR_BYTES) return undefined;
  const qx = (payload[0]! << 4) | (payload[1]! >> 4);
  const qy = ((payload[1]! & 0x0f) << 8) | payload[2]!;
  return { x: qx / STEPS, y: qy / STEPS };
}
