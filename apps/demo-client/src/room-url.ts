// What the page's URL decides: the room (`?room=`), the relay (`?relay=ws://…`, default this
// origin's /ws) and the share link. Pure functions over URL objects.

const ROOM_RE = /^[\x21-\x7e]{1,128}$/; // the relay's rule: 1..128 printable ASCII, no spaces
const WORDS = ['amber', 'brisk', 'cedar', 'dune', 'ember', 'fern', 'glade', 'harbor', 'iris', 'jade', 'kite', 'lumen', 'maple', 'nova', 'opal', 'pine'];

/** A name the relay accepts as a room name. */
export function isRoomName(name: string): boolean {
  return ROOM_RE.test(name);
}

/** A random, readable room name such as `cedar-kite-417`. */
export function randomRoomName(random: () => number = Math.random): string {
  const word = () => WORDS[Math.floor(random() * WORDS.length) % WORDS.length]!;
  return `${word()}-${word()}-${100 + Math.floor(random() * 900)}`;
}

/** The relay's room-name rule, in words, for the page to show. */
export const ROOM_RULE = 'room names are 1 to 128 printable ASCII characters, without spaces or accents';

/**
 * The room named by `?room=`, or a new random one (`generated: true`: write it into the URL).
 * `rejected` is the `?room=` value that broke the rule, so the page can say why it is elsewhere.
 */
export function roomFromUrl(url: URL, random: () => number = Math.random): { room: string; generated: boolean; rejected?: string } {
  const room = url.searchParams.get('room');
  if (room !== null && isRoomName(room)) return { room, generated: false };
  const generated = { room: randomRoomName(random), generated: true };
  return room === null || room === '' ? generated : { ...generated, rejected: room };
}

/** Longest part of a rejected name the notice quotes. */
const QUOTE_MAX = 40;

/** The notice shown when `?room=` was not a valid name: quotes the value, states the rule, names the new room. */
export function rejectedRoomNotice(rejected: string, room: string): string {
  const chars = Array.from(rejected);
  const quoted = chars.length > QUOTE_MAX ? `${chars.slice(0, QUOTE_MAX).join('')}…" (${chars.length} characters` : `${rejected}"`;
  const close = chars.length > QUOTE_MAX ? ')' : '';
  return `"${quoted}${close} is not a valid room name: ${ROOM_RULE}. You are in a new room, ${room}, instead; share its link to invite others.`;
}

/** The relay's WebSocket URL: `?relay=ws(s)://…` if given, else `/ws` on this page's origin. */
export function relayUrl(url: URL): string {
  const param = url.searchParams.get('relay');
  if (param !== null && /^wss?:\/\//.test(param)) return param;
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}/ws`;
}

/** This page's URL with `?room=` set (other parameters, such as `relay`, are kept). */
export function shareLink(url: URL, room: string): string {
  const link = new URL(url.href);
  link.hash = '';
  link.searchParams.set('room', room);
  return link.href;
}
