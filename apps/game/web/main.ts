// The Tag arena page: asks the backend for a seat (POST /play), joins the relay room it names
// with the token it got, sends the controls as `latest` inputs, and draws the backend's states
// with interpolation. Reconnects (and takes its seat back) through the SDK.
import { RoomcastClient, type Room, type RoomMessage } from '@roomcast/client';
import {
  Action, BACKEND_USER_ID, Flags, INPUT_KEY, Phase, STATE_KEY, decodeDash, decodeEvent, decodeState, encodeInput,
  type GameEvent, type GameState, type Ticket,
} from '../src/shared/wire.js';
import { trySend } from '../src/shared/send.js';
import { Controls } from './input.js';
import { Interpolator } from './interpolation.js';
import { draw, type Puff } from './render.js';

const STEP_MS = 50; // the backend's 20 Hz step
const INPUT_HZ = 30;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const statusEl = $('[data-testid="status"]');
const canvas = $<HTMLCanvasElement>('#arena');
const scoresEl = $('[data-testid="scores"]');
const roundEl = $('[data-testid="round"]');
const bannerEl = $('[data-testid="banner"]');

function setStatus(state: string, text: string): void {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
}

function banner(text: string, ms: number): void {
  bannerEl.textContent = text;
  bannerEl.hidden = false;
  setTimeout(() => { if (bannerEl.textContent === text) bannerEl.hidden = true; }, ms);
}

async function ask(): Promise<Ticket> {
  const name = new URLSearchParams(location.search).get('name') ?? `player-${Math.floor(Math.random() * 900 + 100)}`;
  const res = await fetch('./play', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  if (!res.ok) throw new Error(`the backend answered ${res.status}`);
  return (await res.json()) as Ticket;
}

async function start(): Promise<void> {
  const ticket = await ask();
  $('[data-testid="room"]').textContent = ticket.room;
  const client = new RoomcastClient(ticket.relayUrl, { getToken: () => ticket.token });
  client.on('status', (s) => {
    if (s === 'reconnecting') setStatus('reconnecting', 'Reconnecting…');
  });
  client.on('reconnected', () => setStatus('live', 'Live'));
  client.on('close', ({ code, reason }) => setStatus('closed', code === 4403 ? `Removed: ${reason}` : `Disconnected (${code})`));
  await client.connect({ retry: true });
  const room = await client.join(ticket.room, null);
  setStatus('live', 'Live');
  play(client, room);
}

function play(client: RoomcastClient, room: Room): void {
  const world = new Interpolator(STEP_MS);
  const puffs: Puff[] = [];
  let seq = 0;
  const backendId = () => {
    let id = 0;
    for (const m of room.members.values()) if (m.userId === BACKEND_USER_ID && m.away !== true && m.id > id) id = m.id;
    return id;
  };
  const controls = new Controls(canvas, () => {
    if (client.status === 'open' && backendId() !== 0) trySend(() => room.sendTo(backendId(), Uint8Array.of(Action.dash)));
  });
  setInterval(() => {
    if (client.status !== 'open' || !room.joined) return;
    seq = (seq + 1) & 0xffff;
    trySend(() => room.sendLatest(INPUT_KEY, encodeInput({ seq, dx: controls.dx, dy: controls.dy })));
  }, 1000 / INPUT_HZ);

  room.on('message', (m: RoomMessage) => {
    if (room.members.get(m.sender)?.userId !== BACKEND_USER_ID) return; // only the backend is trusted
    if (m.cls === 'latest' && m.key === STATE_KEY) {
      const state = decodeState(m.payload);
      if (state !== undefined) {
        world.push(state, performance.now());
        showScores(room, state);
      }
    } else if (m.cls === 'droppable') {
      const puff = decodeDash(m.payload);
      if (puff !== undefined) puffs.push({ ...puff, at: performance.now() });
    } else {
      const event = decodeEvent(m.payload);
      if (event !== undefined) announce(room, event);
    }
  });

  const frame = () => {
    const now = performance.now();
    const players = world.sample(now);
    const latest = world.latest;
    const names = new Map([...room.members.values()].map((m) => [m.id, nameOf(m.info) ?? `#${m.id}`]));
    draw(canvas, players, { self: room.self, it: latest?.it ?? 0, names, puffs, now });
    // The drawn positions, for tests and curious readers.
    for (const p of players) {
      const li = scoresEl.querySelector<HTMLElement>(`li[data-member-id="${p.id}"]`);
      if (li !== null) Object.assign(li.dataset, { x: p.x.toFixed(0), y: p.y.toFixed(0) });
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

function nameOf(info: unknown): string | undefined {
  const name = (info as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

function showScores(room: Room, state: GameState): void {
  const rows = [...state.players].sort((a, b) => b.score - a.score);
  const ids = rows.map((p) => String(p.id)).join(',');
  if (scoresEl.dataset.ids !== ids) {
    scoresEl.replaceChildren(...rows.map((p) => {
      const li = document.createElement('li');
      li.dataset.memberId = String(p.id);
      return li;
    }));
    scoresEl.dataset.ids = ids;
  }
  for (const p of rows) {
    const li = scoresEl.querySelector<HTMLElement>(`li[data-member-id="${p.id}"]`)!;
    li.textContent = `${nameOf(room.members.get(p.id)?.info) ?? `#${p.id}`}: ${p.score}`;
    li.dataset.score = String(p.score);
    li.classList.toggle('you', p.id === room.self);
    li.classList.toggle('it', p.id === state.it);
    li.classList.toggle('away', (p.flags & Flags.away) !== 0);
  }
  const seconds = Math.ceil(state.msLeft / 1000);
  roundEl.textContent = state.phase === Phase.playing ? `Round ${state.round} · ${seconds} s left`
    : state.phase === Phase.pause ? `Next round in ${seconds} s` : 'Waiting for a second player…';
}

function announce(room: Room, event: GameEvent): void {
  const name = (id: number) => (id === room.self ? 'You' : nameOf(room.members.get(id)?.info) ?? `#${id}`);
  if (event.type === 'tag') banner(`${name(event.tagger)} tagged ${name(event.tagged)}`, 900);
  if (event.type === 'round_start') banner(`Round ${event.round}: ${name(event.it)} ${event.it === room.self ? 'are' : 'is'} it`, 1500);
  if (event.type === 'round_end') banner(`Round ${event.round} over: ${name(event.winner)} lead${event.winner === room.self ? '' : 's'}`, 2500);
}

start().catch((err: Error) => setStatus('closed', `Could not join: ${err.message}`));
