// PROTOCOL.md and README.md must agree with the code: every hex string cited for a vector is the
// pinned one, the code tables are codes.ts, the malformed examples fail as stated, and the README
// usage example runs.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as protocol from '@roomcast/protocol';
import { CloseCodes, ErrorCodes, decodeClientFrame, decodeServerFrame } from '@roomcast/protocol';
import { VECTORS, bytes } from './vectors.js';

const spec = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Cells of every Markdown table row in `text`. */
function tableRows(text: string): string[][] {
  return text.split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) => line.slice(1, -1).split('|').map((cell) => cell.trim()));
}

/** The section of the spec from `heading` up to the next heading of the same or higher level. */
function section(heading: string): string {
  const start = spec.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`PROTOCOL.md has no heading ${heading}`);
  const level = heading.split(' ')[0]!;
  const rest = spec.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

const byName = new Map(VECTORS.map((v) => [v.name, v]));
const backticked = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
/** A whole frame written in hex: kind 01/02/03 and at least the 4 bytes of the shortest frame. */
const isFrameHex = (s: string) => /^0[123](?:[0-9a-f]{2}){3,}$/.test(s);

/** Lines inside fenced code blocks. */
function codeLines(text: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inside = !inside;
    else if (inside) out.push(line);
  }
  return out;
}

describe('PROTOCOL.md', () => {
  test('states the protocol version of the code', () => {
    expect(spec).toContain(`PROTOCOL_VERSION = ${protocol.PROTOCOL_VERSION}`);
    expect(spec).toContain(`MIN_PROTOCOL_VERSION = ${protocol.MIN_PROTOCOL_VERSION}`);
    expect(spec).toMatch(new RegExp(`^# Roomcast wire protocol — version ${protocol.PROTOCOL_VERSION}$`, 'm'));
    // The History table ends with the current version.
    const history = tableRows(section('## 15 History')).filter((c) => /^\d+$/.test(c[0] ?? ''));
    expect(Number(history.at(-1)![0])).toBe(protocol.PROTOCOL_VERSION);
  });

  test('the test vector tables list every vector, with its decoder and pinned hex', () => {
    const cited = new Map<string, { decoder: string; hex: string }>();
    for (const cells of tableRows(section('## 13 Test vectors'))) {
      const name = backticked(cells[0] ?? '')[0];
      if (name === undefined || !byName.has(name)) continue;
      const hex = backticked(cells[cells.length - 1] ?? '')[0] ?? '';
      cited.set(name, { decoder: cells[1] ?? '', hex });
    }
    expect([...cited.keys()].sort()).toEqual([...byName.keys()].sort());
    for (const [name, { decoder, hex }] of cited) {
      expect({ name, decoder, hex }).toEqual({ name, decoder: byName.get(name)!.decoder, hex: byName.get(name)!.hex });
    }
  });

  test('every other table row that names a vector cites its pinned hex', () => {
    let rows = 0;
    for (const cells of tableRows(spec)) {
      const name = backticked(cells[0] ?? '')[0];
      if (name === undefined || !byName.has(name)) continue;
      for (const hex of cells.slice(1).flatMap(backticked).filter(isFrameHex)) {
        expect(hex, name).toBe(byName.get(name)!.hex);
        rows++;
      }
    }
    expect(rows).toBeGreaterThan(VECTORS.length);
  });

  test('every hex-only line of a code block is the bytes of a vector', () => {
    const lines = codeLines(spec).map((l) => l.trim()).filter(isFrameHex);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const known = new Set(VECTORS.map((v) => v.hex));
    for (const line of lines) expect(known.has(line), line).toBe(true);
  });

  test('the worked example cites at least one vector of every frame kind', () => {
    const example = section('## 12 Worked example');
    for (const name of ['hello', 'join_presence', 'data_reliable', 'deliver_reliable']) {
      expect(example).toContain(byName.get(name)!.hex);
    }
  });

  test('the error code table is ErrorCodes', () => {
    const rows = tableRows(section('## 9 Error codes')).filter((c) => /^`[a-z_]+`$/.test(c[0] ?? ''));
    const table = Object.fromEntries(rows.map((c) => [backticked(c[0]!)[0], { retry: c[1] === 'yes', description: c[2] }]));
    expect(table).toEqual(Object.fromEntries(
      Object.entries(ErrorCodes).map(([name, info]) => [name, { retry: info.retry, description: info.description }]),
    ));
  });

  test('the close code table is CloseCodes', () => {
    const rows = tableRows(section('## 10 Close codes')).filter((c) => /^\d{4}$/.test(c[0] ?? ''));
    const table = Object.fromEntries(rows.map((c) => [
      backticked(c[1]!)[0], { code: Number(c[0]), reconnect: c[2] === 'yes', description: c[3] },
    ]));
    expect(table).toEqual(Object.fromEntries(
      Object.entries(CloseCodes).map(([name, info]) => [name, { code: info.code, reconnect: info.reconnect, description: info.description }]),
    ));
  });

  test('the malformed examples fail with the code stated', () => {
    let checked = 0;
    for (const cells of tableRows(section('### 13.5 Malformed inputs'))) {
      const [input = '', side = '', codeCell = ''] = cells;
      const code = backticked(codeCell)[0];
      if (code !== 'bad_frame' && code !== 'bad_message') continue;
      if (input.includes('+')) continue; // written as an expression, covered by malformed.test.ts
      const inputs = input === '*(empty)*' ? [''] : backticked(input);
      expect(inputs.length, input).toBeGreaterThan(0);
      const decoders = side === 'both' ? [decodeClientFrame, decodeServerFrame]
        : side === 'client' ? [decodeClientFrame] : [decodeServerFrame];
      for (const hex of inputs) {
        for (const decode of decoders) {
          const r = decode(bytes(hex));
          expect(r.ok, hex).toBe(false);
          if (!r.ok) expect(r.error.code, hex).toBe(code);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  test('the limits in the welcome vector are the documented defaults', () => {
    const welcome = byName.get('welcome')!.value;
    expect(welcome.kind === 'control' && welcome.message.type === 'welcome' ? welcome.message.limits : undefined)
      .toEqual({
        maxPayloadBytes: 16384, maxControlBytes: 4096, maxRoomsPerConnection: 16, maxMembersPerRoom: 256,
        maxPresenceBytes: 512, maxMessagesPerSec: 200, idleTimeoutSec: 32, burstMessages: 400,
        maxBytesPerSec: 262144, maxKeysPerMember: 16, tickHz: 30, minTickHz: 1, maxTickHz: 60,
      });
    const limits = section('### 6.2 Relay → client');
    for (const line of ['`maxPayloadBytes` | integer ≥ 0 | 16384', '`maxControlBytes` | integer ≥ 0 | 4096',
      '`maxPresenceBytes` | integer ≥ 0 | 512', '`maxMessagesPerSec` | number ≥ 0 | 200', '`burstMessages` | integer ≥ 0 | 400']) {
      expect(limits).toContain(line);
    }
  });
});

describe('README.md', () => {
  test('links to PROTOCOL.md', () => {
    expect(readme).toContain('(./PROTOCOL.md)');
  });

  test('the usage example runs and prints what its comments say', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const lines = block!.split('\n');
    expect(lines.filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(15);
    // Run the example with the package's exports in scope instead of its import line.
    const body = lines.filter((l) => !l.startsWith('import ')).join('\n');
    const names = Object.keys(protocol);
    const logged: unknown[][] = [];
    const run = new Function(...names, 'console', body) as (...args: unknown[]) => void;
    run(...names.map((n) => (protocol as Record<string, unknown>)[n]), { log: (...args: unknown[]) => logged.push(args) });
    expect(logged).toEqual([
      [1, 46, new Uint8Array([2, 0, 0, 1, 1, 2, 3])],
      ['from', 1, new Uint8Array([1, 2, 3])],
    ]);
  });
});
