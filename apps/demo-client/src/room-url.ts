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

/** The room named by `?room=`, or a new random one (`generated: true`: write it into the URL). */
export function roomFromUrl(url: URL, random: () => number = Math.random): { room: string; generated: boolean } {
  const room = url.searchParams.get('room');
  if (room !== null && isRoomName(room)) return { room, generated: false };
  return { room: randomRoomName(random), generated: true };
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
