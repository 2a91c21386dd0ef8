// Who this visitor is (name and colour, kept in presence) and how other members' presence is
// read back. Presence from the network is untrusted: parsePresence never throws and only lets
// through a short string name and a #rrggbb colour.

/** The presence this demo sets: `{ name, color }`. */
// A type alias (not an interface) so it is assignable to the SDK's JSON `Presence` type.
export type Identity = {
  name: string;
  color: string;
};

/** Longest name, in characters (presence must stay well under the relay's 512-byte limit). */
export const MAX_NAME_LENGTH = 32;

/** Colours to pick from: each carries a white label at WCAG AA contrast (4.5:1 or more). */
export const PALETTE: readonly { color: string; label: string }[] = [
  { color: '#c2410c', label: 'Vermilion' },
  { color: '#b45309', label: 'Amber' },
  { color: '#15803d', label: 'Green' },
  { color: '#0f766e', label: 'Teal' },
  { color: '#2563eb', label: 'Blue' },
  { color: '#4f46e5', label: 'Indigo' },
  { color: '#a21caf', label: 'Orchid' },
  { color: '#be123c', label: 'Rose' },
];

const ADJECTIVES = ['Swift', 'Quiet', 'Brave', 'Clever', 'Sunny', 'Lucky', 'Gentle', 'Bold', 'Witty', 'Calm', 'Merry', 'Nimble'];
const ANIMALS = ['Otter', 'Falcon', 'Lynx', 'Panda', 'Heron', 'Fox', 'Koala', 'Badger', 'Orca', 'Gecko', 'Robin', 'Yak'];

const FALLBACK_COLOR = '#64748b';
const COLOR_RE = /^#[0-9a-f]{6}$/i;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length) % items.length]!;
}

/** A random "Adjective Animal" name and palette colour. */
export function randomIdentity(random: () => number = Math.random): Identity {
  return { name: `${pick(ADJECTIVES, random)} ${pick(ANIMALS, random)}`, color: pick(PALETTE, random).color };
}

/** A name as typed, made safe to share: trimmed, whitespace collapsed, at most MAX_NAME_LENGTH characters. */
export function cleanName(name: string): string {
  return Array.from(name.replace(/\s+/g, ' ').trim()).slice(0, MAX_NAME_LENGTH).join('');
}

export function isColor(value: unknown): value is string {
  return typeof value === 'string' && COLOR_RE.test(value);
}

/** Reads another member's presence; anything missing or malformed gets a neutral default. */
export function parsePresence(presence: unknown, id: number): Identity {
  const p = (typeof presence === 'object' && presence !== null ? presence : {}) as Record<string, unknown>;
  const name = typeof p.name === 'string' ? cleanName(p.name) : '';
  return { name: name === '' ? `Guest ${id}` : name, color: isColor(p.color) ? p.color.toLowerCase() : FALLBACK_COLOR };
}

const STORAGE_KEY = 'roomcast-demo:identity';

/** The name and colour this visitor chose before (localStorage), else a random one. */
export function loadIdentity(storage: Pick<Storage, 'getItem'> | undefined, random: () => number = Math.random): Identity {
  try {
    const saved = storage?.getItem(STORAGE_KEY);
    if (saved) {
      const parsed: unknown = JSON.parse(saved);
      const p = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
      const name = typeof p.name === 'string' ? cleanName(p.name) : '';
      if (name !== '' && isColor(p.color)) return { name, color: p.color };
    }
  } catch {
    // Storage blocked or corrupt: fall through to a random identity.
  }
  return randomIdentity(random);
}

/** Remembers an identity the visitor edited. */
export function saveIdentity(storage: Pick<Storage, 'setItem'> | undefined, identity: Identity): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(identity));
  } catch {
    // Private mode or quota: not remembering is fine.
  }
}

/** Black or white, whichever reads better on `background` (#rrggbb), by WCAG relative luminance. */
export function textColorOn(background: string): '#ffffff' | '#111827' {
  if (!isColor(background)) return '#ffffff';
  const channel = (i: number): number => {
    const c = parseInt(background.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast with white is 1.05 / (L + 0.05); with near-black about (L + 0.05) / 0.06.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.06 ? '#ffffff' : '#111827';
}
