// Identity, presence parsing, URL handling and the traffic counter: the page's small pure helpers.
import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, PALETTE, cleanName, loadIdentity, parsePresence, randomIdentity, saveIdentity, textColorOn } from '../src/identity.js';
import { ROOM_RULE, isRoomName, randomRoomName, rejectedRoomNotice, relayUrl, roomFromUrl, shareLink } from '../src/room-url.js';
import { RateCounter, WINDOW_MS, formatRate } from '../src/traffic.js';

describe('identity', () => {
  it('makes random names from the word lists and colours from the palette', () => {
    const id = randomIdentity(() => 0.99);
    expect(id.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect(PALETTE.map((p) => p.color)).toContain(id.color);
  });

  it('cleans names: trims, collapses whitespace, caps the length', () => {
    expect(cleanName('  Ada \n Lovelace ')).toBe('Ada Lovelace');
    expect(cleanName('x'.repeat(100))).toHaveLength(MAX_NAME_LENGTH);
    expect(Array.from(cleanName('🙂'.repeat(40)))).toHaveLength(MAX_NAME_LENGTH);
  });

  it('reads untrusted presence without throwing', () => {
    expect(parsePresence({ name: 'Bo', color: '#AABBCC' }, 3)).toEqual({ name: 'Bo', color: '#aabbcc' });
    expect(parsePresence(null, 7)).toEqual({ name: 'Guest 7', color: '#64748b' });
    expect(parsePresence({ name: 5, color: 'red; background: url(x)' }, 2)).toEqual({ name: 'Guest 2', color: '#64748b' });
    expect(parsePresence('hello', 1).name).toBe('Guest 1');
  });

  it('remembers an edited identity and ignores corrupt storage', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveIdentity(storage, { name: 'Ada', color: '#3a86ff' });
    expect(loadIdentity(storage)).toEqual({ name: 'Ada', color: '#3a86ff' });
    for (const key of store.keys()) store.set(key, '{not json');
    expect(loadIdentity(storage).name).not.toBe('Ada');
    expect(loadIdentity(undefined).name).toMatch(/ /);
  });

  it('picks a readable label colour', () => {
    expect(textColorOn('#ffffff')).toBe('#111827');
    expect(textColorOn('#111111')).toBe('#ffffff');
    expect(textColorOn('#6a4cff')).toBe('#ffffff');
    expect(textColorOn('#fbbf24')).toBe('#111827'); // a light colour another client may send
    for (const { color } of PALETTE) expect(textColorOn(color)).toBe('#ffffff');
  });
});

describe('room URL', () => {
  it('takes the room from ?room= and generates one otherwise', () => {
    expect(roomFromUrl(new URL('http://h/?room=lobby'))).toEqual({ room: 'lobby', generated: false });
    const made = roomFromUrl(new URL('http://h/'), () => 0.5);
    expect(made.generated).toBe(true);
    expect(isRoomName(made.room)).toBe(true);
    expect(roomFromUrl(new URL('http://h/?room=has%20space')).generated).toBe(true);
    expect(randomRoomName(() => 0)).toBe('amber-amber-100');
  });

  it('names the rejected ?room= value (café, a b, 200 characters), but not an absent or empty one', () => {
    for (const bad of ['café', 'a b', 'r'.repeat(200)]) {
      const r = roomFromUrl(new URL(`http://h/?room=${encodeURIComponent(bad)}`), () => 0);
      expect(r).toEqual({ room: 'amber-amber-100', generated: true, rejected: bad });
    }
    expect(roomFromUrl(new URL('http://h/?room='), () => 0)).toEqual({ room: 'amber-amber-100', generated: true });
    expect(roomFromUrl(new URL('http://h/'), () => 0)).toEqual({ room: 'amber-amber-100', generated: true });
  });

  it('words the notice for a rejected name: the value (shortened when long), the rule, the new room', () => {
    expect(rejectedRoomNotice('café', 'fern-kite-417')).toBe(
      '"café" is not a valid room name: room names are 1 to 128 printable ASCII characters, without spaces or accents.'
      + ' You are in a new room, fern-kite-417, instead; share its link to invite others.');
    const long = rejectedRoomNotice('r'.repeat(200), 'x');
    expect(long.startsWith(`"${'r'.repeat(40)}…" (200 characters) is not a valid room name: `)).toBe(true);
    expect(long).toContain(ROOM_RULE);
  });

  it('uses ?relay= or the same origin /ws', () => {
    expect(relayUrl(new URL('http://localhost:8080/?room=a'))).toBe('ws://localhost:8080/ws');
    expect(relayUrl(new URL('https://demo.example/x'))).toBe('wss://demo.example/ws');
    expect(relayUrl(new URL('http://localhost:5173/?relay=ws://127.0.0.1:9000/ws'))).toBe('ws://127.0.0.1:9000/ws');
    expect(relayUrl(new URL('http://localhost:5173/?relay=javascript:alert(1)'))).toBe('ws://localhost:5173/ws');
  });

  it('builds a share link that keeps other parameters', () => {
    expect(shareLink(new URL('http://h:1/?relay=ws://r/ws#x'), 'my-room')).toBe('http://h:1/?relay=ws%3A%2F%2Fr%2Fws&room=my-room');
  });
});

describe('traffic counter', () => {
  it('averages bytes over a sliding window', () => {
    const c = new RateCounter();
    for (let t = 0; t < WINDOW_MS; t += 100) c.add(50, t); // 500 B/s
    expect(c.rate(WINDOW_MS - 1)).toBe(500);
    expect(c.rate(WINDOW_MS * 3)).toBe(0);
    expect(c.total).toBe(1000);
  });

  it('formats rates compactly', () => {
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(999.4)).toBe('999 B/s');
    expect(formatRate(4210)).toBe('4.2 kB/s');
    expect(formatRate(2_500_000)).toBe('2.5 MB/s');
  });
});
