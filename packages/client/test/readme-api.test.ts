// README.md's API, options, events, errors, reconnect codes and payload buffers must match the
// code: each test reads one README section and compares it with the source or a real client, so
// a renamed option, a new event or a changed default fails here until the README says it.
// (readme.test.ts checks the Exports list, the raw-TCP section heading and the size budget.)
import { readFileSync } from 'node:fs';
import { CloseCodes, DeliveryClass, encodeBatch, encodeDeliver, shouldReconnect } from '@roomcast/protocol';
import { describe, expect, test } from 'vitest';
import { DEFAULT_BACKOFF } from '../src/backoff.js';
import { resolveConnectOptions, resolveOptions } from '../src/options.js';
import type { RoomMessage } from '../src/room.js';
import { connected, joinRoom } from './harness.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const source = (file: string) => readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');

/** The text under `## title` (or `### title`), up to the next heading of that level or higher. */
function section(title: string): string {
  const start = readme.indexOf(`\n${title}\n`);
  expect(start, `README heading "${title}"`).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(title)![0];
  const rest = readme.slice(start + title.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The first column of the first table after `after` in `text`: each `` `name` `` in it. */
function tableNames(text: string, after = ''): string[] {
  const from = text.indexOf(after);
  expect(from, `"${after}" in the README`).toBeGreaterThanOrEqual(0);
  const rows = text.slice(from).split('\n').filter((l) => l.startsWith('| `'));
  const table: string[] = [];
  for (const row of rows) {
    table.push(row);
    if (!text.slice(from).includes(`${row}\n|`)) break; // the table ends after this row
  }
  return table.map((r) => /^\| `([^`]+)`/.exec(r)![1]!);
}

/** The rows of that table: first column → second column. */
function tableRows(text: string, after: string): Map<string, string> {
  const names = tableNames(text, after);
  const body = text.slice(text.indexOf(after));
  return new Map(names.map((n) => [n, body.split('\n').find((l) => l.startsWith(`| \`${n}\``))!.split('|')[2]!.trim()]));
}

/** Field names of `export interface name { … }` in a source file (comments stripped). */
function interfaceFields(file: string, name: string): string[] {
  const text = source(file);
  const start = text.indexOf(`export interface ${name} {`);
  expect(start, `interface ${name} in ${file}`).toBeGreaterThanOrEqual(0);
  const body = text.slice(start, text.indexOf('\n}', start)).replace(/\/\*\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]!);
}

const sorted = (list: Iterable<string>) => [...list].sort();

describe('README.md matches the client', () => {
  test('the options table lists exactly the ClientOptions fields, each with its real default', () => {
    const rows = tableRows(readme, '`Presence` is any JSON value. Options, all optional:');
    expect(sorted(rows.keys())).toEqual(sorted(interfaceFields('options.ts', 'ClientOptions')));
    const d = resolveOptions({});
    expect(rows.get('reconnect')).toBe(
      `\`{ initialDelayMs: ${DEFAULT_BACKOFF.initialDelayMs}, maxDelayMs: ${DEFAULT_BACKOFF.maxDelayMs}, factor: ${DEFAULT_BACKOFF.factor} }\``,
    );
    expect(d.reconnect).toEqual(DEFAULT_BACKOFF);
    expect(rows.get('connectTimeoutMs')).toBe(`\`${d.connectTimeoutMs}\``);
    expect(rows.get('requestTimeoutMs')).toBe(`\`${d.requestTimeoutMs}\``);
    expect(rows.get('clientName')).toBe(`\`'${d.clientName}'\``);
    expect(rows.get('throttleLatest')).toBe(`\`${d.throttleLatest}\``);
    expect(rows.get('getToken')).toBe('none (anonymous)');
    expect(d.getToken).toBeUndefined();
  });

  test('the connect() options table lists exactly the ConnectOptions fields, with their defaults', () => {
    const rows = tableRows(readme, '`connect()` options (`ConnectOptions`):');
    expect(sorted(rows.keys())).toEqual(sorted(interfaceFields('options.ts', 'ConnectOptions')));
    const d = resolveConnectOptions({});
    expect(rows.get('retry')).toBe(`\`${d.retry}\``);
    expect(rows.get('maxAttempts')).toBe('no limit');
    expect(d.maxAttempts).toBe(Number.POSITIVE_INFINITY);
  });

  test('every client.* and room.* member in the API block exists on a real client and room', async () => {
    const api = /## API\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const clientNames = [...api.matchAll(/^client\.(\w+)/gm)].map((m) => m[1]!);
    const roomNames = [...api.matchAll(/^room\.(\w+)/gm)].flatMap((m) => (m[1] === 'on' ? ['on', 'once', 'off'] : [m[1]!]));
    expect(clientNames.length).toBeGreaterThan(10);
    expect(roomNames.length).toBeGreaterThan(10);
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 1, self: 1, members: [{ id: 1, presence: null }] });
    for (const name of clientNames) expect(h.client, `client.${name}`).toHaveProperty(name);
    for (const name of roomNames) expect(room, `room.${name}`).toHaveProperty(name);
    // The other way round: every public method of the classes is in the block.
    const methods = (o: object) => Object.getOwnPropertyNames(Object.getPrototypeOf(o)).filter((n) => n !== 'constructor');
    for (const name of methods(h.client)) expect(clientNames, `client.${name} in the README`).toContain(name);
    for (const name of methods(room)) expect([...roomNames, 'settings', 'host'], `room.${name} in the README`).toContain(name);
    h.client.close();
  });

  test('the event tables list exactly the ClientEvents and RoomEvents', () => {
    const events = section('## Events');
    expect(sorted(tableNames(events, 'Client:'))).toEqual(sorted(interfaceFields('client.ts', 'ClientEvents')));
    expect(sorted(tableNames(events, 'Room:'))).toEqual(sorted(interfaceFields('room-events.ts', 'RoomEvents')));
  });

  test('the error table lists exactly the client-side error codes', () => {
    const union = /export type ClientErrorCode = ([^;]+);/.exec(source('errors.ts'))![1]!;
    const codes = [...union.matchAll(/'(\w+)'/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(6);
    expect(sorted(tableNames(section('## Errors'), '| code | meaning |'))).toEqual(sorted(codes));
  });

  test('the files options are exactly RoomFilesOptions', () => {
    const line = /\*\*Options\*\* \(`roomFiles\(room, options\)`\):([\s\S]*?)\n- /.exec(section('## Sending files (`@roomcast/client/files`)'))![1]!;
    const named = [...line.matchAll(/`(\w+)` \(/g)].map((m) => m[1]!);
    expect(sorted(named)).toEqual(sorted(interfaceFields('files/room-files.ts', 'RoomFilesOptions')));
  });

  test('the close codes the Reconnect section names reconnect, or not, as it says', () => {
    const text = section('## Reconnect');
    const says = /`shouldReconnect\(code\)` in `@roomcast\/protocol` decides:\n([\s\S]*?) reconnect\. ([^.]*?) don't\./.exec(text);
    expect(says).not.toBeNull();
    const yes = [...says![1]!.matchAll(/\b(\d{4})\b/g)].map((m) => Number(m[1]));
    const no = [...says![2]!.matchAll(/\b(\d{4})\b/g)].map((m) => Number(m[1]));
    expect(yes).toEqual([1001, 1013, 4408, 4429, 4440, 4500, 4502, 4503, 1006]);
    expect(no).toEqual([1000, 1009, 4400, 4401, 4403, 4406]);
    for (const code of yes) expect(shouldReconnect(code), `${code} reconnects`).toBe(true);
    for (const code of no) expect(shouldReconnect(code), `${code} does not reconnect`).toBe(false);
    // Every close code the protocol defines is named (a new one must be added to the README).
    for (const { code, reconnect } of Object.values(CloseCodes)) expect(reconnect ? yes : no, `close code ${code}`).toContain(code);
  });

  test('message payloads: a deliver payload is its own frame; latest values of one batch share its buffer', async () => {
    const text = section('## Events').replace(/\s+/g, ' ');
    expect(text).toContain('A `message` payload of a `reliable` or `droppable` frame is a view into that frame');
    expect(text).toContain('The `latest` values of one batch frame are views into that one frame');
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 1, self: 1, members: [{ id: 1, presence: null }, { id: 2, presence: null }, { id: 3, presence: null }] });
    const got: RoomMessage[] = [];
    room.on('message', (m) => got.push(m));
    h.socket().push(encodeDeliver({ sender: 2, room: 1, cls: DeliveryClass.Reliable, direct: false }, new Uint8Array([1, 2, 3])));
    h.socket().push(encodeBatch(1, [{ sender: 2, key: 0, payload: new Uint8Array([4, 5]) }, { sender: 3, key: 0, payload: new Uint8Array([6]) }]));
    await new Promise((r) => setTimeout(r, 0));
    expect(got.map((m) => [m.cls, m.sender, [...m.payload]])).toEqual([['reliable', 2, [1, 2, 3]], ['latest', 2, [4, 5]], ['latest', 3, [6]]]);
    const [deliver, first, second] = got as [RoomMessage, RoomMessage, RoomMessage];
    expect(deliver.payload.byteOffset).not.toBe(0); // as the README says: copy before a wider view
    expect(deliver.payload.buffer).not.toBe(first.payload.buffer);
    expect(first.payload.buffer).toBe(second.payload.buffer);
    h.client.close();
  });
});
