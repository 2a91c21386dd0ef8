// The Tag arena's own messages, carried as opaque payloads by the relay. Shared by the backend,
// the bot and the page (no Node or DOM imports). Little-endian binary for what flows every tick
// (inputs, state, effects); JSON behind a type byte for rare events (tags, round start and end),
// where readability beats a few bytes.

/** The userId of the backend's own token: clients trust state and events only from this member. */
export const BACKEND_USER_ID = 'game-backend';

/** What POST /play answers: where to connect and with which token. */
export interface Ticket {
  /** Where the player connects (WebSocket URL of the relay). */
  relayUrl: string;
  /** A token for this room only (join, send, direct), valid one hour. */
  token: string;
  room: string;
  userId: string;
  name: string;
}

/** `latest` key of a player's input (the newest input is all that matters). */
export const INPUT_KEY = 1;
/** `latest` key of the backend's authoritative state. */
export const STATE_KEY = 1;

/** Largest input axis value: an axis is -100..100 (percent of full speed). */
export const AXIS_MAX = 100;

/** Reliable frames a player sends the backend (direct): an action. */
export const Action = { dash: 1 } as const;

/** Frames the backend sends: first byte. */
export const Event = { tag: 2, roundStart: 3, roundEnd: 4, dash: 5 } as const;

export interface Input {
  /** Wraps at 65536; echoed as the player's `ack` in state, to measure input-to-state latency. */
  seq: number;
  dx: number;
  dy: number;
}

export const INPUT_BYTES = 4;

export function encodeInput(input: Input): Uint8Array {
  const out = new Uint8Array(INPUT_BYTES);
  const view = new DataView(out.buffer);
  view.setUint16(0, input.seq & 0xffff, true);
  view.setInt8(2, input.dx);
  view.setInt8(3, input.dy);
  return out;
}

/** Reads an input without judging it (the backend's guard does); undefined if the size is wrong. */
export function decodeInput(bytes: Uint8Array): Input | undefined {
  if (bytes.length !== INPUT_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { seq: view.getUint16(0, true), dx: view.getInt8(2), dy: view.getInt8(3) };
}

export const Phase = { waiting: 0, playing: 1, pause: 2 } as const;
export type PhaseValue = (typeof Phase)[keyof typeof Phase];

export const Flags = { away: 1, frozen: 2, dashing: 4 } as const;

export interface PlayerState {
  id: number;
  /** Arena units, 0..ARENA_SIZE. */
  x: number;
  y: number;
  /** Sequence number of the last input the simulation applied for this player. */
  ack: number;
  score: number;
  flags: number;
}

export interface GameState {
  tick: number;
  round: number;
  phase: PhaseValue;
  /** Milliseconds left in the phase (0 while waiting). */
  msLeft: number;
  /** Member id of the player who is "it" (0: nobody). */
  it: number;
  players: PlayerState[];
}

const STATE_HEADER = 14;
const PLAYER_BYTES = 11;
/** Positions travel as u16 fixed point over the arena: 1000 units → 65535. */
const POS_SCALE = 65.535;

export function encodeState(state: GameState): Uint8Array {
  const out = new Uint8Array(STATE_HEADER + PLAYER_BYTES * state.players.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, state.tick >>> 0, true);
  view.setUint16(4, state.round & 0xffff, true);
  view.setUint8(6, state.phase);
  view.setUint32(7, Math.max(0, Math.round(state.msLeft)), true);
  view.setUint16(11, state.it, true);
  view.setUint8(13, state.players.length);
  let o = STATE_HEADER;
  for (const p of state.players) {
    view.setUint16(o, p.id, true);
    view.setUint16(o + 2, Math.round(p.x * POS_SCALE), true);
    view.setUint16(o + 4, Math.round(p.y * POS_SCALE), true);
    view.setUint16(o + 6, p.ack & 0xffff, true);
    view.setUint16(o + 8, Math.min(p.score, 0xffff), true);
    view.setUint8(o + 10, p.flags);
    o += PLAYER_BYTES;
  }
  return out;
}

export function decodeState(bytes: Uint8Array): GameState | undefined {
  if (bytes.length < STATE_HEADER) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint8(13);
  if (bytes.length !== STATE_HEADER + count * PLAYER_BYTES) return undefined;
  const players: PlayerState[] = [];
  for (let i = 0, o = STATE_HEADER; i < count; i++, o += PLAYER_BYTES) {
    players.push({
      id: view.getUint16(o, true),
      x: view.getUint16(o + 2, true) / POS_SCALE,
      y: view.getUint16(o + 4, true) / POS_SCALE,
      ack: view.getUint16(o + 6, true),
      score: view.getUint16(o + 8, true),
      flags: view.getUint8(o + 10),
    });
  }
  return {
    tick: view.getUint32(0, true),
    round: view.getUint16(4, true),
    phase: view.getUint8(6) as PhaseValue,
    msLeft: view.getUint32(7, true),
    it: view.getUint16(11, true),
    players,
  };
}

export interface ScoreLine {
  id: number;
  userId: string;
  name: string;
  score: number;
}

/** Reliable events, sent as [type byte] + JSON. */
export type GameEvent =
  | { type: 'tag'; tagger: number; tagged: number; scores: ScoreLine[] }
  | { type: 'round_start'; round: number; durationMs: number; it: number }
  | { type: 'round_end'; round: number; scores: ScoreLine[]; winner: number };

const EVENT_CODES = { tag: Event.tag, round_start: Event.roundStart, round_end: Event.roundEnd } as const;

export function encodeEvent(event: GameEvent): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(event));
  const out = new Uint8Array(1 + json.length);
  out[0] = EVENT_CODES[event.type];
  out.set(json, 1);
  return out;
}

export function decodeEvent(bytes: Uint8Array): GameEvent | undefined {
  const code = bytes[0];
  if (code !== Event.tag && code !== Event.roundStart && code !== Event.roundEnd) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as GameEvent;
  } catch {
    return undefined;
  }
}

/** A droppable effect: a dash puff at a position (nobody loses anything if it is dropped). */
export function encodeDash(id: number, x: number, y: number): Uint8Array {
  const out = new Uint8Array(7);
  const view = new DataView(out.buffer);
  out[0] = Event.dash;
  view.setUint16(1, id, true);
  view.setUint16(3, Math.round(x * POS_SCALE), true);
  view.setUint16(5, Math.round(y * POS_SCALE), true);
  return out;
}

export function decodeDash(bytes: Uint8Array): { id: number; x: number; y: number } | undefined {
  if (bytes.length !== 7 || bytes[0] !== Event.dash) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { id: view.getUint16(1, true), x: view.getUint16(3, true) / POS_SCALE, y: view.getUint16(5, true) / POS_SCALE };
}
