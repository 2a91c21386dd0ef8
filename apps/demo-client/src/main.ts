// The shared-cursor page: joins the room named in the URL, sends this visitor's pointer, and
// draws everyone else's. Wiring only; the parts live in their own modules (see README.md).
import './style.css';
import { CURSOR_KEY, RoomcastClient, decodeCursor, type Room, type RoomMessage } from '@roomcast/client';
import { BigCanvas } from './big-canvas.js';
import { Entrance, statusText, type Status } from './connection.js';
import { pageToNormal, pageToWire, wireToPage, type Point, type Size } from './coords.js';
import { decodeMessage } from './cursor-codec.js';
import { RemoteCursors } from './cursors.js';
import { PALETTE, cleanName, loadIdentity, parsePresence, saveIdentity, type Identity } from './identity.js';
import { renderMembers } from './members.js';
import { bindSharedFiles, listenForDrops, shareImage } from './shared-files.js';
import { spawnRipple } from './ripples.js';
import { rejectedRoomNotice, relayUrl, roomFromUrl, shareLink } from './room-url.js';
import { distinctColor } from './colors.js';
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
  roomNotice: byId('room-notice'),
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
  tray: byId('file-tray'),
};

// ---- Room, relay and identity from the URL and storage ----
const pageUrl = new URL(location.href);
const { room: roomName, generated, rejected } = roomFromUrl(pageUrl);
const link = shareLink(pageUrl, roomName);
if (generated) history.replaceState(null, '', link);
ui.roomName.textContent = roomName;
if (rejected !== undefined) {
  // Two people typing the same bad name would otherwise land in different rooms without a word.
  ui.roomNotice.textContent = rejectedRoomNotice(rejected, roomName);
  ui.roomNotice.hidden = false;
}
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
/** Whether the visitor chose their colour (a swatch): then it is kept even if someone else wears it. */
const COLOR_PICKED_KEY = 'roomcast-demo:color-picked';
let colorPicked = (() => {
  try {
    return storage?.getItem(COLOR_PICKED_KEY) === '1';
  } catch {
    return false;
  }
})();

// `?canvas=big`: a 4096 px world cut into interest groups; each tab receives the cursors near its window.
const big = pageUrl.searchParams.get('canvas') === 'big' ? new BigCanvas(document.body) : undefined;

// ---- Connection ----
const meter: TrafficMeter = { sent: new RateCounter(), received: new RateCounter() };
const client = new RoomcastClient(relayUrl(pageUrl), { WebSocket: countingWebSocket(meter) });
let room: Room | undefined;
let unbindRoom: (() => void) | undefined;

function setStatus(status: Status, detail?: string): void {
  ui.status.dataset.state = status;
  ui.statusText.textContent = statusText(status, detail);
  ui.retry.hidden = status !== 'offline';
  if (status === 'live') ui.status.title = '';
  document.body.classList.toggle('is-offline', status !== 'live');
  updateHint();
}

function docSize(): Size {
  if (big !== undefined) return BigCanvas.size();
  const el = document.documentElement;
  return { width: Math.max(el.scrollWidth, el.clientWidth), height: Math.max(el.scrollHeight, el.clientHeight) };
}

const cursors = new RemoteCursors(ui.layer, docSize);
const sender = new CursorSender({ transmit: transmitToRoom(() => room, () => big?.group) });

function memberIdentity(id: number): Identity {
  return parsePresence(room?.members.get(id)?.presence, id);
}

/** Moves off a colour an earlier member already wears, unless the visitor picked it (see colors.ts). */
function keepColorDistinct(): void {
  const current = room;
  if (current === undefined || colorPicked) return;
  const members = [...current.members.values()].map((m) => ({
    id: m.id, color: m.id === current.self ? identity.color : parsePresence(m.presence, m.id).color,
  }));
  const color = distinctColor(identity.color, current.self, members);
  if (color === identity.color) return;
  for (const input of ui.swatches.querySelectorAll<HTMLInputElement>('input[name="color"]')) input.checked = input.value === color;
  changeIdentity({ ...identity, color });
}

function refreshMembers(): void {
  keepColorDistinct();
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

/** Member `id`'s cursor value: 3 bytes, or empty when cleared (the pointer left that page). */
function showCursor(id: number, payload: Uint8Array): void {
  const position = decodeCursor(payload);
  if (position === undefined) cursors.hide(id);
  else cursors.move(id, memberIdentity(id), position, performance.now());
}

/** Another member's cursor (latest class, key CURSOR_KEY; an empty payload hides it) or click (droppable). */
function receive({ sender: id, payload, cls, key }: RoomMessage): void {
  if (cls === 'latest') {
    if (key === CURSOR_KEY) showCursor(id, payload);
    return;
  }
  const msg = decodeMessage(payload);
  if (msg !== undefined) spawnRipple(ui.layer, wireToPage(msg, docSize()), memberIdentity(id).color);
}

function bindRoom(joined: Room): void {
  unbindRoom?.();
  room = joined;
  big?.bind(joined);
  // Cursors of members already here come from the snapshot batch the relay sends on join (and
  // after each rejoin): the SDK hands its entries to the 'message' listener like any update.
  const offs = [
    joined.on('message', receive),
    bindSharedFiles(ui.tray, joined, (id) => memberIdentity(id).name),
    joined.on('member_joined', (m) => {
      cursors.update(m.id, parsePresence(m.presence, m.id));
      refreshMembers();
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
      // The relay's snapshot follows the joined reply; anything of it already in room.latest is
      // drawn here, the rest arrives as messages.
      cursors.clear();
      for (const [id, values] of joined.latest) {
        const value = values.get(CURSOR_KEY);
        if (value !== undefined) showCursor(id, value);
      }
      setStatus('live');
      refreshMembers();
      if (presenceDirty) void pushPresence();
      sender.resend(); // our old value went with the old session
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
  unbindRoom = () => { for (const off of offs) off(); };
}

client.on('status', (status) => {
  if (status === 'reconnecting') {
    cursors.clear();
    setStatus('reconnecting');
  } else if (status === 'connecting' && ui.status.dataset.state !== 'reconnecting') {
    setStatus('connecting');
  }
});

// The SDK retries a first connection that fails (relay down or restarting) with its backoff.
client.on('retrying', ({ error }) => {
  setStatus('reconnecting');
  ui.status.title = `Last attempt: ${error.message}`;
});

const entrance = new Entrance({
  connect: () => client.connect({ retry: true }),
  join: () => client.join(roomName, identity),
  onConnecting: () => setStatus('connecting'),
  onJoined: (joined: Room) => {
    bindRoom(joined);
    presenceDirty = false;
    setStatus('live');
    refreshMembers();
    sender.resend();
  },
  onFatal: (err) => setStatus('offline', err.message),
});

client.on('close', ({ code, reason }) => {
  // The SDK gave up (a close code that forbids reconnecting, or client.close()). While the
  // page's connect-and-join round runs, the round reports it (onFatal).
  if (entrance.running) return;
  room = undefined;
  cursors.clear();
  refreshMembers();
  setStatus('offline', reason || `closed (${code})`);
});

ui.retry.addEventListener('click', () => void entrance.enter());

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
  // 'click' as well as 'change': clicking the swatch the page picked for you (already checked,
  // so no 'change') still means "this one is mine" and must stop the page moving you off it.
  const pick = (): void => {
    if (!input.checked) return;
    colorPicked = true;
    try {
      storage?.setItem(COLOR_PICKED_KEY, '1');
    } catch {
      // not remembering is fine
    }
    if (identity.color !== color) changeIdentity({ ...identity, color });
  };
  input.addEventListener('click', pick);
  input.addEventListener('change', pick);
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
  const normal = pageToNormal({ x: client.x + window.scrollX, y: client.y + window.scrollY }, docSize());
  big?.moveTo(normal);
  sender.move(normal);
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

// ---- Images dropped on the page go to everyone in the room (shared-files.ts) ----
listenForDrops((images) => {
  const current = room;
  if (current !== undefined) for (const image of images) shareImage(ui.tray, current, image);
});

// ---- Traffic indicator ----
setInterval(() => {
  const now = performance.now();
  ui.sent.textContent = formatRate(meter.sent.rate(now));
  ui.received.textContent = formatRate(meter.received.rate(now));
  big?.showCursors(ui.layer.querySelectorAll('[data-testid="remote-cursor"]:not(.is-hidden)').length);
}, 500);

refreshMembers();
void entrance.enter();
