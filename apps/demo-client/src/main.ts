// The shared-cursor page: joins the room named in the URL, sends this visitor's pointer, and
// draws everyone else's. Wiring only; the parts live in their own modules (see README.md).
import './style.css';
import { RoomcastClient, RoomcastError, type Room } from '@roomcast/client';
import { pageToWire, wireToPage, dequantise, type Point, type Size } from './coords.js';
import { decodeMessage } from './cursor-codec.js';
import { RemoteCursors } from './cursors.js';
import { PALETTE, cleanName, loadIdentity, parsePresence, saveIdentity, type Identity } from './identity.js';
import { renderMembers } from './members.js';
import { spawnRipple } from './ripples.js';
import { relayUrl, roomFromUrl, shareLink } from './room-url.js';
import { CursorSender, transmitToRoom } from './sender.js';
import { RateCounter, countingWebSocket, formatRate, type TrafficMeter } from './traffic.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

const ui = {
  status: byId('status'),
  statusText: byId('status-text'),
  retry: byId<HTMLButtonElement>('retry'),
  roomName: byId('room-name'),
  hint: byId('hint'),
  nameInput: byId<HTMLInputElement>('name-input'),
  swatches: byId<HTMLFieldSetElement>('swatches'),
  shareLink: byId<HTMLInputElement>('share-link'),
  copy: byId<HTMLButtonElement>('copy-link'),
  copyFeedback: byId('copy-feedback'),
  members: byId('member-list'),
  memberCount: byId('member-count'),
  layer: byId('cursor-layer'),
  sent: byId('bytes-sent'),
  received: byId('bytes-received'),
};

// ---- Room, relay and identity from the URL and storage ----
const pageUrl = new URL(location.href);
const { room: roomName, generated } = roomFromUrl(pageUrl);
const link = shareLink(pageUrl, roomName);
if (generated) history.replaceState(null, '', link);
ui.roomName.textContent = roomName;
ui.shareLink.value = link;
document.title = `${roomName} · Roomcast`;

const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return undefined; // blocked (e.g. cookies disabled)
  }
})();
let identity: Identity = loadIdentity(storage);

// ---- Connection ----
type Status = 'connecting' | 'live' | 'reconnecting' | 'offline';
const STATUS_TEXT: Record<Status, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const meter: TrafficMeter = { sent: new RateCounter(), received: new RateCounter() };
const client = new RoomcastClient(relayUrl(pageUrl), { WebSocket: countingWebSocket(meter) });
let room: Room | undefined;
let unbindRoom: (() => void) | undefined;

function setStatus(status: Status, detail?: string): void {
  ui.status.dataset.state = status;
  ui.statusText.textContent = detail === undefined ? STATUS_TEXT[status] : `${STATUS_TEXT[status]}: ${detail}`;
  ui.retry.hidden = status !== 'offline';
  if (status === 'live') ui.status.title = '';
  document.body.classList.toggle('is-offline', status !== 'live');
  updateHint();
}

function docSize(): Size {
  const el = document.documentElement;
  return { width: Math.max(el.scrollWidth, el.clientWidth), height: Math.max(el.scrollHeight, el.clientHeight) };
}

const cursors = new RemoteCursors(ui.layer, docSize);
const sender = new CursorSender({ transmit: transmitToRoom(() => room) });

function memberIdentity(id: number): Identity {
  return parsePresence(room?.members.get(id)?.presence, id);
}

function refreshMembers(): void {
  const current = room;
  const entries = current === undefined ? [] : [...current.members.values()].map((m) => {
    const self = m.id === current.self;
    return { id: m.id, self, ...(self ? identity : parsePresence(m.presence, m.id)) };
  });
  renderMembers(ui.members, ui.memberCount, entries);
  updateHint();
}

function updateHint(): void {
  if (ui.status.dataset.state !== 'live' || room === undefined) {
    ui.hint.textContent = ui.status.dataset.state === 'offline' ? 'Not connected to the relay.' : 'Connecting to the relay…';
    return;
  }
  const others = room.members.size - 1;
  ui.hint.textContent = others === 0
    ? 'You are the only one here. Open the share link in another tab or send it to a friend, then move your pointer.'
    : `Move your pointer: ${others === 1 ? '1 other person sees' : `${others} others see`} it live. Click to send a ripple.`;
}

function bindRoom(joined: Room): void {
  unbindRoom?.();
  room = joined;
  const offs = [
    joined.on('message', ({ sender: id, payload }) => {
      const msg = decodeMessage(payload);
      if (msg === undefined) return;
      if (msg.type === 'hide') return cursors.hide(id);
      const who = memberIdentity(id);
      if (msg.type === 'cursor') {
        cursors.move(id, who, { x: dequantise(msg.x), y: dequantise(msg.y) }, performance.now());
      } else {
        spawnRipple(ui.layer, wireToPage(msg, docSize()), who.color);
      }
    }),
    joined.on('member_joined', () => {
      refreshMembers();
      sender.resend(); // so the newcomer sees this cursor without waiting for a move
    }),
    joined.on('member_updated', (m) => {
      cursors.update(m.id, parsePresence(m.presence, m.id));
      refreshMembers();
    }),
    joined.on('member_left', (m) => {
      cursors.remove(m.id);
      refreshMembers();
    }),
    joined.on('resync', () => {
      // Rejoined after a reconnect: member ids are new, so redraw everything from room.members.
      cursors.clear();
      setStatus('live');
      refreshMembers();
      if (presenceDirty) void pushPresence();
      sender.resend();
    }),
    joined.on('error', (err) => {
      if (!joined.joined) {
        room = undefined;
        cursors.clear();
        refreshMembers();
        setStatus('offline', err.message);
      }
    }),
  ];
  unbindRoom = () => offs.forEach((off) => off());
}

client.on('status', (status) => {
  if (status === 'reconnecting') {
    cursors.clear();
    setStatus('reconnecting');
  } else if (status === 'connecting' && ui.status.dataset.state !== 'reconnecting') {
    setStatus('connecting');
  }
});
/** True while enter() runs its own connect loop (a failed first attempt also emits 'close'). */
let entering = false;

client.on('close', ({ code, reason }) => {
  // The SDK gave up (a close code that forbids reconnecting, or client.close()).
  if (entering) return;
  room = undefined;
  cursors.clear();
  refreshMembers();
  setStatus('offline', reason || `closed (${code})`);
});

/** Join errors that retrying cannot fix. */
const FATAL_JOIN = new Set(['bad_room_name', 'room_full', 'relay_full', 'presence_too_large', 'too_many_rooms', 'unauthorized']);

/** Connects (retrying while the relay is unreachable) and joins the room. */
async function enter(): Promise<void> {
  if (entering) return;
  entering = true;
  try {
    await connectAndJoin();
  } finally {
    entering = false;
  }
}

async function connectAndJoin(): Promise<void> {
  setStatus('connecting');
  for (let attempt = 0; ; attempt++) {
    try {
      await client.connect();
      bindRoom(await client.join(roomName, identity));
      presenceDirty = false;
      setStatus('live');
      refreshMembers();
      sender.resend();
      return;
    } catch (err) {
      if (err instanceof RoomcastError && FATAL_JOIN.has(err.code)) {
        setStatus('offline', err.message);
        return;
      }
      setStatus('reconnecting');
      ui.status.title = err instanceof Error ? `Last attempt: ${err.message}` : '';
      // Full-jitter backoff, like the SDK's own reconnect loop: 250 ms doubling up to 10 s.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(10_000, 250 * 2 ** attempt)));
    }
  }
}
ui.retry.addEventListener('click', () => void enter());

// ---- Identity controls ----
let presenceDirty = false;
let presenceTimer: ReturnType<typeof setTimeout> | undefined;

async function pushPresence(): Promise<void> {
  presenceDirty = true;
  const current = room;
  if (current === undefined) return;
  const value = { ...identity };
  try {
    await current.setPresence(value);
    if (identity.name === value.name && identity.color === value.color) presenceDirty = false;
  } catch {
    // Not connected right now: the 'resync' handler sends it again after the rejoin.
  }
}

function changeIdentity(next: Identity): void {
  identity = next;
  saveIdentity(storage, identity);
  refreshMembers();
  clearTimeout(presenceTimer);
  presenceTimer = setTimeout(() => void pushPresence(), 250);
}

ui.nameInput.value = identity.name;
ui.nameInput.addEventListener('input', () => {
  const name = cleanName(ui.nameInput.value);
  if (name !== '' && name !== identity.name) changeIdentity({ ...identity, name });
});
ui.nameInput.addEventListener('blur', () => {
  ui.nameInput.value = identity.name;
});

for (const { color, label } of PALETTE) {
  const input = document.createElement('input');
  input.type = 'radio';
  input.name = 'color';
  input.value = color;
  input.className = 'swatch';
  input.style.setProperty('--cursor-color', color);
  input.setAttribute('aria-label', label);
  input.title = label;
  input.checked = color === identity.color;
  input.addEventListener('change', () => {
    if (input.checked) changeIdentity({ ...identity, color });
  });
  ui.swatches.append(input);
}

// ---- Share link ----
let feedbackTimer: ReturnType<typeof setTimeout> | undefined;
function feedback(text: string): void {
  ui.copyFeedback.textContent = text;
  clearTimeout(feedbackTimer);
  feedbackTimer = setTimeout(() => { ui.copyFeedback.textContent = ''; }, 2500);
}
ui.copy.addEventListener('click', () => {
  const copied = navigator.clipboard?.writeText(link) ?? Promise.reject(new Error('no clipboard'));
  copied.then(
    () => feedback('Link copied. Paste it in another tab or send it to a friend.'),
    () => {
      ui.shareLink.focus();
      ui.shareLink.select();
      feedback('Press Ctrl+C (⌘C) to copy the selected link.');
    },
  );
});
ui.shareLink.addEventListener('focus', () => ui.shareLink.select());

// ---- Pointer input (passive listeners: scrolling and touch gestures are never blocked) ----
let lastClient: Point | undefined;

function sendPointer(client: Point): void {
  lastClient = client;
  sender.move(pageToWire({ x: client.x + window.scrollX, y: client.y + window.scrollY }, docSize()));
}

document.addEventListener('pointermove', (e) => {
  if (e.isPrimary) sendPointer({ x: e.clientX, y: e.clientY });
}, { passive: true });

document.addEventListener('pointerdown', (e) => {
  if (!e.isPrimary) return;
  sendPointer({ x: e.clientX, y: e.clientY });
  if ((e.target as Element | null)?.closest('input, button, label, a, select, textarea') != null) return;
  const page = { x: e.pageX, y: e.pageY };
  spawnRipple(ui.layer, page, identity.color);
  sender.click(pageToWire(page, docSize()));
}, { passive: true });

// Scrolling moves the pointer over the page without a pointermove.
window.addEventListener('scroll', () => {
  if (lastClient !== undefined) sendPointer(lastClient);
}, { passive: true });

// The pointer left the window (a touch pointer "leaves" on every lift: its cursor just idles out).
document.documentElement.addEventListener('pointerleave', (e) => {
  if (e.pointerType !== 'touch') {
    lastClient = undefined;
    sender.hide();
  }
});
document.addEventListener('visibilitychange', () => {
  if (document.hidden) sender.hide();
});

// ---- Traffic indicator ----
setInterval(() => {
  const now = performance.now();
  ui.sent.textContent = formatRate(meter.sent.rate(now));
  ui.received.textContent = formatRate(meter.received.rate(now));
}, 500);

refreshMembers();
void enter();
