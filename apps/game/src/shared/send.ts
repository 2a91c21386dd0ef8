// Sending while a room is being rejoined after a reconnect throws `not_connected` synchronously
// (client README, Reconnect). Inputs are states: the next one replaces a skipped one, so the
// page and the bot skip it instead of failing.
import { RoomcastError } from '@roomcast/client';

/** Runs `send`; false if it was skipped because the connection or the room is not usable yet. */
export function trySend(send: () => void): boolean {
  try {
    send();
    return true;
  } catch (err) {
    if (err instanceof RoomcastError && err.code === 'not_connected') return false;
    throw err;
  }
}
