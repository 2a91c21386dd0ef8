// Malformed inputs and the exact error code each must produce. `bad_frame`: the bytes are not a
// frame (kind, header, flags, or MessagePack outside the plain subset). `bad_message`: a control
// frame whose plain MessagePack decoded but does not match a message schema.
import { describe, expect, test } from 'vitest';
import {
  decodeClientFrame, decodeServerFrame, encodeControl, memberSchema, parseServerMessage, readPlain, serverMessageSchema, type Decoded,
} from '@roomcast/protocol';
import { bytes } from './vectors.js';

type Code = 'bad_frame' | 'bad_message';
type Side = 'client' | 'server' | 'both';
interface Bad { name: string; side: Side; hex: string; code: Code }

const bad = (name: string, side: Side, hex: string, code: Code): Bad => ({ name, side, hex, code });

/** MessagePack prefix of `{type:"join",id:2,room:"lobby",presence:` (a fixmap of 4 entries). */
const JOIN_LOBBY_PRESENCE = '0184a474797065a46a6f696ea2696402a4726f6f6da56c6f626279a870726573656e6365';
/** `{type:"ping",id:5}`: the `ping` vector. */
const PING = '0182a474797065a470696e67a2696405';

const FRAMES: Bad[] = [
  // ---- frame kind ---------------------------------------------------------------
  bad('empty frame', 'both', '', 'bad_frame'),
  bad('unknown kind 0x00', 'both', '00', 'bad_frame'),
  bad('unknown kind 0x00 with a plausible header', 'both', '00000001010203', 'bad_frame'),
  bad('unknown kind 0x04', 'both', '04000001', 'bad_frame'),
  bad('unknown kind 0xff', 'both', 'ff', 'bad_frame'),
  bad('deliver frame sent by a client', 'client', '030000010001010203', 'bad_frame'),
  bad('data frame sent by the relay', 'server', '02000001010203', 'bad_frame'),

  // ---- data frame header (client → relay) -----------------------------------------
  bad('data: kind byte only', 'client', '02', 'bad_frame'),
  bad('data: header truncated after flags', 'client', '0200', 'bad_frame'),
  bad('data: header truncated inside room handle', 'client', '020000', 'bad_frame'),
  bad('data: group bit (3) without the group id', 'client', '02080001', 'bad_frame'),
  bad('data: group id truncated', 'client', '0208000100', 'bad_frame'),
  bad('data: group id 0', 'client', '020800010000010203', 'bad_frame'),
  bad('data: direct and group bits together', 'client', '020c000100020005010203', 'bad_frame'),
  bad('data: latest to a group without the key byte', 'client', '020900010005', 'bad_frame'),
  bad('batch: group bit without the group id', 'server', '04110001', 'bad_frame'),
  bad('batch: group id truncated', 'server', '0411000100', 'bad_frame'),
  bad('batch: group id 0', 'server', '041100010000', 'bad_frame'),
  bad('data: reserved flag bit 4', 'client', '02100001010203', 'bad_frame'),
  bad('data: reserved flag bit 7', 'client', '02800001', 'bad_frame'),
  bad('data: all reserved flag bits', 'client', '02f00001', 'bad_frame'),
  bad('data: delivery class 3', 'client', '02030001010203', 'bad_frame'),
  bad('data: delivery class 3 with direct', 'client', '0207000100020203', 'bad_frame'),
  bad('data: room handle 0', 'client', '02000000010203', 'bad_frame'),
  bad('data: target member 0', 'client', '020400010000010203', 'bad_frame'),
  bad('data: target missing entirely', 'client', '02040001', 'bad_frame'),
  bad('data: target truncated to 1 byte', 'client', '0204000100', 'bad_frame'),
  bad('data: latest without key byte', 'client', '02010001', 'bad_frame'),
  bad('data: latest direct without key byte', 'client', '020500010002', 'bad_frame'),

  // ---- deliver frame header (relay → client) --------------------------------------
  bad('deliver: kind byte only', 'server', '03', 'bad_frame'),
  bad('deliver: header truncated inside sender', 'server', '0300000100', 'bad_frame'),
  bad('deliver: reserved flag bit 3', 'server', '030800010001', 'bad_frame'),
  bad('deliver: delivery class 3', 'server', '030300010001', 'bad_frame'),
  bad('deliver: room handle 0', 'server', '030000000001010203', 'bad_frame'),
  bad('deliver: latest with sender 0 (the server publishes no latest values)', 'server', '03010001000007010203', 'bad_frame'),
  bad('deliver: latest without key byte', 'server', '030100010001', 'bad_frame'),

  // ---- control frame: MessagePack outside the plain subset (both sides) ----------
  bad('control: kind byte only', 'both', '01', 'bad_frame'),
  bad('control: fixext 1 (0xd4)', 'both', '01d40000', 'bad_frame'),
  bad('control: ext 8 (0xc7)', 'both', '01c7010000', 'bad_frame'),
  bad('control: ext 16 (0xc8)', 'both', '01c800010000', 'bad_frame'),
  bad('control: ext 32 (0xc9)', 'both', '01c90000000100', 'bad_frame'),
  bad('control: timestamp 32 (fixext 4, type -1)', 'both', '01d6ff00000000', 'bad_frame'),
  bad('control: timestamp 64 (fixext 8, type -1)', 'both', '01d7ff0000000000000000', 'bad_frame'),
  bad('control: timestamp 96 (ext 8, type -1)', 'both', '01c70cff000000000000000000000000', 'bad_frame'),
  bad('control: msgpackr record extension (fixext 1, type 0x72)', 'both', '01d47240', 'bad_frame'),
  bad('control: extension as a field value', 'both', '0182a474797065a470696e67a26964d6ff00000000', 'bad_frame'),
  bad('control: extension nested in presence', 'both', `${JOIN_LOBBY_PRESENCE}81a161d40000`, 'bad_frame'),
  bad('control: never-used byte 0xc1', 'both', '01c1', 'bad_frame'),
  bad('control: 0xc1 as a field value', 'both', '0182a474797065a470696e67a26964c1', 'bad_frame'),
  bad('control: integer map key', 'both', '018101a474797065', 'bad_frame'),
  bad('control: nil map key', 'both', '0181c0c0', 'bad_frame'),
  bad('control: binary map key', 'both', '0181c40474797065a470696e67', 'bad_frame'),
  bad('control: array as map key', 'both', '018190c0', 'bad_frame'),
  bad('control: integer key inside presence', 'both', `${JOIN_LOBBY_PRESENCE}810102`, 'bad_frame'),
  bad('control: 17 nested arrays at top level', 'both', `01${'91'.repeat(17)}00`, 'bad_frame'),
  bad('control: presence nested to depth 17 (with the top-level map)', 'both', `${JOIN_LOBBY_PRESENCE}${'91'.repeat(16)}01`, 'bad_frame'),
  bad('control: array32 claiming 2^32-1 items, 3 bytes follow', 'both', '01ddffffffff000000', 'bad_frame'),
  bad('control: array32 length itself truncated', 'both', '01ddffffff', 'bad_frame'),
  bad('control: array16 claiming 65535 items', 'both', '01dcffff00', 'bad_frame'),
  bad('control: map32 claiming 2^32-1 entries', 'both', '01dfffffffff', 'bad_frame'),
  // §5.1: a map MUST NOT repeat a key (otherwise the last one would silently win).
  bad('control: repeated key id in ping', 'both', '0183a474797065a470696e67a2696401a2696402', 'bad_frame'),
  bad('control: repeated key type (ping, then hello)', 'both', '0184a474797065a470696e67a474797065a568656c6c6fa2696407a17601', 'bad_frame'),
  bad('control: repeated key inside presence', 'both', `${JOIN_LOBBY_PRESENCE}82a16101a16102`, 'bad_frame'),
  // Relay → client frames have no value cap beyond their length (§8.8 rule 3): a client decoder
  // reads this as a join (bad_message), the relay refuses the values.
  bad('control: presence array of 4096 items (4097+ values in total)', 'client', `${JOIN_LOBBY_PRESENCE}dc1000${'00'.repeat(4096)}`, 'bad_frame'),
  bad('control: str32 value claiming 4 GiB', 'both', '0181a474797065dbffffffff70696e67', 'bad_frame'),
  bad('control: str32 key claiming 4 GiB', 'both', '0181dbffffffff74797065', 'bad_frame'),
  bad('control: str8 key truncated', 'both', '0181d9ff7479', 'bad_frame'),
  bad('control: bin32 claiming 4 GiB', 'both', '0182a474797065a470696e67a26964c6ffffffff', 'bad_frame'),
  bad('control: fixstr truncated', 'both', '0181a4747970', 'bad_frame'),
  bad('control: map missing its last value', 'both', '0182a474797065a470696e67a26964', 'bad_frame'),
  bad('control: uint32 truncated', 'both', '0182a474797065a470696e67a26964ce0000', 'bad_frame'),
  bad('control: float64 truncated', 'both', '0182a474797065a470696e67a26964cb3ff0', 'bad_frame'),
  bad('control: trailing byte after a valid ping', 'both', `${PING}00`, 'bad_frame'),
  bad('control: a second ping after the first', 'both', `${PING}${PING.slice(2)}`, 'bad_frame'),
  bad('control: trailing byte after an empty map', 'both', '018000', 'bad_frame'),
  bad('control: two nils', 'both', '01c0c0', 'bad_frame'),

  // ---- control frame: plain MessagePack, but not a message (both sides) -----------
  bad('control: nil at top level', 'both', '01c0', 'bad_message'),
  bad('control: array at top level', 'both', '0190', 'bad_message'),
  bad('control: array of a valid message', 'both', `0191${PING.slice(2)}`, 'bad_message'),
  bad('control: string at top level', 'both', '01a470696e67', 'bad_message'),
  bad('control: integer at top level', 'both', '012a', 'bad_message'),
  bad('control: binary at top level', 'both', '01c40101', 'bad_message'),
  bad('control: empty map', 'both', '0180', 'bad_message'),
  bad('control: missing type', 'both', '0181a2696401', 'bad_message'),
  bad('control: type is not a string', 'both', '0182a47479706501a2696401', 'bad_message'),
  bad('control: unknown type', 'both', '0182a474797065a573686f7574a2696401', 'bad_message'),
  bad('control: __proto__ key in a message (renamed, then refused by the strict schema)', 'both',
    '0183a474797065a470696e67a2696401a95f5f70726f746f5f5f81a8706f6c6c7574656401', 'bad_message'),

  // ---- client messages: schema violations ----------------------------------------
  bad('ping: missing id', 'client', '0181a474797065a470696e67', 'bad_message'),
  bad('ping: id is a string', 'client', '0182a474797065a470696e67a26964a135', 'bad_message'),
  bad('ping: id is negative', 'client', '0182a474797065a470696e67a26964ff', 'bad_message'),
  bad('ping: id is 2^32 (above u32)', 'client', '0182a474797065a470696e67a26964cb41f0000000000000', 'bad_message'),
  bad('ping: id is 1.5', 'client', '0182a474797065a470696e67a26964cb3ff8000000000000', 'bad_message'),
  bad('ping: id is nil', 'client', '0182a474797065a470696e67a26964c0', 'bad_message'),
  bad('ping: id is uint64 2^53+2 (not a safe integer)', 'client', '0182a474797065a470696e67a26964cf0020000000000002', 'bad_message'),
  bad('ping: extra unknown field', 'client', '0183a474797065a470696e67a2696401a56578747261c3', 'bad_message'),
  bad('hello: missing v', 'client', '0182a474797065a568656c6c6fa2696401', 'bad_message'),
  bad('hello: v is a string', 'client', '0183a474797065a568656c6c6fa2696401a176a131', 'bad_message'),
  bad('hello: v is 65536', 'client', '0183a474797065a568656c6c6fa2696401a176ce00010000', 'bad_message'),
  bad('hello: client is nil (absent optional fields must be omitted)', 'client',
    '0184a474797065a568656c6c6fa2696401a17601a6636c69656e74c0', 'bad_message'),
  bad('hello: client is 257 characters', 'client', `0184a474797065a568656c6c6fa2696401a17601a6636c69656e74da0101${'78'.repeat(257)}`, 'bad_message'),
  bad('join: missing room', 'client', '0182a474797065a46a6f696ea2696402', 'bad_message'),
  bad('join: room is an integer', 'client', '0183a474797065a46a6f696ea2696402a4726f6f6d01', 'bad_message'),
  bad('join: room is 1025 characters', 'client', `0183a474797065a46a6f696ea2696402a4726f6f6dda0401${'61'.repeat(1025)}`, 'bad_message'),
  bad('join: presence is a binary', 'client', `${JOIN_LOBBY_PRESENCE}c403010203`, 'bad_message'),
  bad('join: presence contains a binary', 'client', `${JOIN_LOBBY_PRESENCE}81a6617661746172c403010203`, 'bad_message'),
  bad('join: presence is NaN', 'client', `${JOIN_LOBBY_PRESENCE}cb7ff8000000000000`, 'bad_message'),
  bad('join: presence is +Infinity', 'client', `${JOIN_LOBBY_PRESENCE}cb7ff0000000000000`, 'bad_message'),
  bad('leave: room is a name, not a handle', 'client', '0183a474797065a56c65617665a2696404a4726f6f6da56c6f626279', 'bad_message'),
  bad('leave: room handle 0', 'client', '0183a474797065a56c65617665a2696404a4726f6f6d00', 'bad_message'),
  bad('leave: room handle 65536', 'client', '0183a474797065a56c65617665a2696404a4726f6f6dce00010000', 'bad_message'),
  bad('presence: missing presence', 'client', '0183a474797065a870726573656e6365a2696403a4726f6f6d01', 'bad_message'),
  bad('presence: presence contains a binary', 'client',
    '0184a474797065a870726573656e6365a2696403a4726f6f6d01a870726573656e636581a6617661746172c401ff', 'bad_message'),
  // v2: tokens
  bad('hello: token is an integer', 'client', '0184a474797065a568656c6c6fa2696401a17602a5746f6b656e01', 'bad_message'),
  bad('hello: token is empty', 'client', '0184a474797065a568656c6c6fa2696401a17602a5746f6b656ea0', 'bad_message'),
  bad('hello: token of 8193 characters', 'client', `0184a474797065a568656c6c6fa2696401a17602a5746f6b656eda2001${'61'.repeat(8193)}`, 'bad_message'),
  bad('refresh: missing token', 'client', '0182a474797065a772656672657368a2696406', 'bad_message'),
  bad('refresh: token is nil', 'client', '0183a474797065a772656672657368a2696406a5746f6b656ec0', 'bad_message'),
  bad('refresh: token is empty', 'client', '0183a474797065a772656672657368a2696406a5746f6b656ea0', 'bad_message'),
  bad('refresh: missing id', 'client', '0182a474797065a772656672657368a5746f6b656ea3616263', 'bad_message'),
  bad('refresh: extra unknown field', 'client', '0184a474797065a772656672657368a2696406a5746f6b656ea3616263a56578747261c3', 'bad_message'),
  bad('relay message sent by a client (ok)', 'client', '0182a474797065a26f6ba2696401', 'bad_message'),

  // ---- relay messages: schema violations -----------------------------------------
  bad('welcome: missing limits', 'server', '0184a474797065a777656c636f6d65a2696401a17601a773657373696f6ea173', 'bad_message'),
  bad('welcome: unknown limit field', 'server',
    '0185a474797065a777656c636f6d65a2696401a17601a773657373696f6ea173a66c696d69747388af6d61785061796c6f61644279746573cd4000'
    + 'af6d6178436f6e74726f6c4279746573cd1000b56d6178526f6f6d73506572436f6e6e656374696f6e10b16d61784d656d62657273506572526f6f6dcd0100'
    + 'b06d617850726573656e63654279746573cd0200b16d61784d65737361676573506572536563ccc8ae69646c6554696d656f757453656320a56275727374cd0190',
    'bad_message'),
  bad('joined: room name with a space', 'server',
    '0186a474797065a66a6f696e6564a2696402a4726f6f6da3612062a668616e646c6501a473656c6601a76d656d6265727390', 'bad_message'),
  bad('joined: handle 0', 'server',
    '0186a474797065a66a6f696e6564a2696402a4726f6f6da56c6f626279a668616e646c6500a473656c6601a76d656d6265727390', 'bad_message'),
  bad('member_joined: member without presence', 'server',
    '0183a474797065ad6d656d6265725f6a6f696e6564a4726f6f6d01a66d656d62657281a2696402', 'bad_message'),
  bad('member_left: member 0', 'server', '0183a474797065ab6d656d6265725f6c656674a4726f6f6d01a66d656d62657200', 'bad_message'),
  bad('error: unknown code', 'server', '0183a474797065a56572726f72a4636f6465a46f6f7073a76d657373616765a178', 'bad_message'),
  bad('error: id is nil', 'server', '0184a474797065a56572726f72a26964c0a4636f6465a96261645f6672616d65a76d657373616765a178', 'bad_message'),
  bad('error: room handle 0', 'server',
    '0184a474797065a56572726f72a4636f6465ab6e6f745f696e5f726f6f6da76d657373616765a178a4726f6f6d00', 'bad_message'),
  bad('error: message of 1025 characters', 'server',
    `0183a474797065a56572726f72a4636f6465a8696e7465726e616ca76d657373616765da0401${'78'.repeat(1025)}`, 'bad_message'),
  // v2: identity
  bad('refreshed: missing expiresInSec', 'server', '0182a474797065a9726566726573686564a2696406', 'bad_message'),
  bad('refreshed: expiresInSec is negative', 'server', '0183a474797065a9726566726573686564a2696406ac65787069726573496e536563ff', 'bad_message'),
  bad('member_joined: empty userId', 'server',
    '0183a474797065ad6d656d6265725f6a6f696e6564a4726f6f6d01a66d656d62657283a2696403a870726573656e6365c0a6757365724964a0', 'bad_message'),
  bad('member_joined: userId is an integer', 'server',
    '0183a474797065ad6d656d6265725f6a6f696e6564a4726f6f6d01a66d656d62657283a2696403a870726573656e6365c0a675736572496407', 'bad_message'),
  bad('member_joined: info is NaN', 'server',
    '0183a474797065ad6d656d6265725f6a6f696e6564a4726f6f6d01a66d656d62657283a2696403a870726573656e6365c0a4696e666fcb7ff8000000000000', 'bad_message'),
  bad('refresh sent by the relay', 'server', '0183a474797065a772656672657368a2696406a5746f6b656ea3616263', 'bad_message'),
  bad('client message sent by the relay (ping)', 'server', '0182a474797065a470696e67a2696401', 'bad_message'),
];

function decoders(side: Side): [string, (b: Uint8Array) => Decoded<unknown>][] {
  const client: [string, (b: Uint8Array) => Decoded<unknown>] = ['decodeClientFrame', decodeClientFrame];
  const server: [string, (b: Uint8Array) => Decoded<unknown>] = ['decodeServerFrame', decodeServerFrame];
  return side === 'both' ? [client, server] : side === 'client' ? [client] : [server];
}

describe('malformed inputs', () => {
  const rows = FRAMES.flatMap((b) => decoders(b.side).map(([fn, decode]) => ({ ...b, fn, decode })));

  test.each(rows)('$fn: $name → $code', ({ hex, code, decode }) => {
    const result = decode(bytes(hex));
    expect(result).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
    if (!result.ok) expect(result.error.message.length).toBeGreaterThan(0);
    // `bad_frame` never names a request: the bytes were not a message at all.
    if (!result.ok && code === 'bad_frame') expect(result.error).not.toHaveProperty('id');
  });

  test('names are unique', () => {
    expect(new Set(FRAMES.map((b) => b.name)).size).toBe(FRAMES.length);
  });
});

describe('the hand-written relay → client validators agree with the zod schema on this table', () => {
  // Every row whose bytes are a plain-MessagePack control frame, whichever side it was written for.
  const bodies = FRAMES.flatMap((b) => {
    const raw = bytes(b.hex);
    const r = raw[0] === 1 ? readPlain(raw, 1) : undefined;
    return r?.ok ? [{ name: b.name, value: r.value }] : [];
  });

  test('the table has such rows', () => {
    expect(bodies.length).toBeGreaterThan(40);
  });

  test.each(bodies)('$name', ({ value }) => {
    const zod = serverMessageSchema.safeParse(value);
    const hand = parseServerMessage(value);
    expect(hand.ok).toBe(zod.success);
    if (zod.success && hand.ok) expect(hand.message).toStrictEqual(zod.data);
  });
});

describe('forward compatibility', () => {
  test('hello ignores unknown fields, so a newer client still gets a version answer', () => {
    // {type:"hello", id:1, v:1, resume:"abc"}
    const r = decodeClientFrame(bytes('0184a474797065a568656c6c6fa2696401a17601a6726573756d65a3616263'));
    expect(r).toStrictEqual({ ok: true, frame: { kind: 'control', message: { type: 'hello', id: 1, v: 1 } } });
  });

  test('the codec keeps a token whatever v says (the relay applies the version rule, PROTOCOL.md §8.1)', () => {
    // {type:"hello", id:1, v:1, token:"abc"}: a v1 relay decoded this to a bare hello; v2 keeps the token
    const r = decodeClientFrame(bytes('0184a474797065a568656c6c6fa2696401a17601a5746f6b656ea3616263'));
    expect(r).toStrictEqual({ ok: true, frame: { kind: 'control', message: { type: 'hello', id: 1, v: 1, token: 'abc' } } });
  });

  test('a v1 reader, tolerant of unknown fields, reads a v2 member map as a v1 one', () => {
    // A v1 client's member schema is {id, presence} without strictness: userId and info are dropped.
    const v1Member = memberSchema.pick({ id: true, presence: true });
    expect(v1Member.parse({ id: 3, presence: null, userId: 'bob', info: { team: 'red' } })).toStrictEqual({ id: 3, presence: null });
  });

  test('relay messages ignore unknown fields (a relay may add limits)', () => {
    const r = decodeServerFrame(encodeControl({ type: 'pong', id: 4, extra: true } as never));
    expect(r).toStrictEqual({ ok: true, frame: { kind: 'control', message: { type: 'pong', id: 4 } } });
  });
});

describe('bad_message keeps the request id, so the error reply can echo it', () => {
  test.each([
    ['ping with an extra field', '0183a474797065a470696e67a2696401a56578747261c3', 1],
    ['join with a 1025-character room', `0183a474797065a46a6f696ea2696402a4726f6f6dda0401${'61'.repeat(1025)}`, 2],
    ['join with a binary presence', `${JOIN_LOBBY_PRESENCE}c403010203`, 2],
    ['unknown type with an id', '0182a474797065a573686f7574a2696401', 1],
  ])('%s', (_what, hex, id) => {
    const r = decodeClientFrame(bytes(hex));
    expect(r).toStrictEqual({ ok: false, error: { code: 'bad_message', message: expect.any(String), id } });
  });

  test.each([
    ['id missing', '0181a474797065a470696e67'],
    ['id is a string', '0182a474797065a470696e67a26964a135'],
    ['id is negative', '0182a474797065a470696e67a26964ff'],
    ['id is 2^32', '0182a474797065a470696e67a26964cb41f0000000000000'],
    ['id is 1.5', '0182a474797065a470696e67a26964cb3ff8000000000000'],
    ['id is nil', '0182a474797065a470696e67a26964c0'],
    ['top level is not a map', '0190'],
  ])('no id when %s', (_what, hex) => {
    const r = decodeClientFrame(bytes(hex));
    expect(r).toStrictEqual({ ok: false, error: { code: 'bad_message', message: expect.any(String) } });
  });
});

describe('accepted by the decoder, refused later by the relay', () => {
  // The codec checks only the shape of `join.room` (a string of at most 1024 characters); the
  // relay applies the room-name rule (1-128 printable ASCII) and answers `bad_room_name`.
  const join = (roomHex: string) => `0183a474797065a46a6f696ea2696402a4726f6f6d${roomHex}`;
  test.each([
    ['a room name with a space', join('a3612062'), 'a b'],
    ['an empty room name', join('a0'), ''],
    ['a room name of 129 characters', join(`d981${'72'.repeat(129)}`), 'r'.repeat(129)],
    ['a room name of 1024 characters', join(`da0400${'72'.repeat(1024)}`), 'r'.repeat(1024)],
    ['a room name with non-ASCII characters', join('a4c3a9c3a9'), 'éé'],
  ])('join with %s decodes', (_what, hex, room) => {
    expect(decodeClientFrame(bytes(hex))).toStrictEqual({
      ok: true, frame: { kind: 'control', message: { type: 'join', id: 2, room } },
    });
  });

  test('presence nil is a value (JSON null), not an absent field', () => {
    expect(decodeClientFrame(bytes(`${JOIN_LOBBY_PRESENCE}c0`))).toStrictEqual({
      ok: true, frame: { kind: 'control', message: { type: 'join', id: 2, room: 'lobby', presence: null } },
    });
  });

  test('presence nested to depth 16 (with the top-level map) decodes', () => {
    const r = decodeClientFrame(bytes(`${JOIN_LOBBY_PRESENCE}${'91'.repeat(15)}01`));
    expect(r.ok).toBe(true);
  });

  test('integers in any MessagePack int format, or integral floats, decode as numbers', () => {
    // id 5 as uint8, uint16, uint32, uint64, int8, int16, int32, int64, float32, float64
    for (const id of ['cc05', 'cd0005', 'ce00000005', 'cf0000000000000005', 'd005', 'd10005', 'd200000005',
      'd30000000000000005', 'ca40a00000', 'cb4014000000000000']) {
      expect(decodeClientFrame(bytes(`0182a474797065a470696e67a26964${id}`)), id).toStrictEqual({
        ok: true, frame: { kind: 'control', message: { type: 'ping', id: 5 } },
      });
    }
  });

  test('map keys may come in any order', () => {
    // {id:5, type:"ping"}
    expect(decodeClientFrame(bytes('0182a2696405a474797065a470696e67'))).toStrictEqual({
      ok: true, frame: { kind: 'control', message: { type: 'ping', id: 5 } },
    });
  });

  test('reserved data classes decode (the relay answers unsupported_class, not the codec)', () => {
    expect(decodeClientFrame(bytes('0201000107ff')).ok).toBe(true);
    expect(decodeClientFrame(bytes('02020001ff')).ok).toBe(true);
  });
});

describe('decoding never mutates Object.prototype', () => {
  const PAYLOADS: [string, string][] = [
    // {"type":"ping","id":1,"__proto__":{"polluted":1}}
    ['__proto__ at top level', '0183a474797065a470696e67a2696401a95f5f70726f746f5f5f81a8706f6c6c7574656401'],
    // {"__proto__":{"polluted":1}}
    ['__proto__ as the only key', '0181a95f5f70726f746f5f5f81a8706f6c6c7574656401'],
    // join lobby, presence {"__proto__":{"polluted":1}}
    ['__proto__ in presence', `${JOIN_LOBBY_PRESENCE}81a95f5f70726f746f5f5f81a8706f6c6c7574656401`],
    // join lobby, presence {"a":[{"__proto__":{"polluted":1}}]}
    ['__proto__ deep in presence', `${JOIN_LOBBY_PRESENCE}81a1619181a95f5f70726f746f5f5f81a8706f6c6c7574656401`],
    // join lobby, presence {"constructor":{"prototype":{"polluted":1}}}
    ['constructor.prototype in presence', `${JOIN_LOBBY_PRESENCE}81ab636f6e7374727563746f7281a970726f746f7479706581a8706f6c6c7574656401`],
    // member_joined room 1, member {id:2, presence:{"__proto__":{"polluted":1}}}
    ['__proto__ in a member', '0183a474797065ad6d656d6265725f6a6f696e6564a4726f6f6d01a66d656d62657282a2696402a870726573656e636581a95f5f70726f746f5f5f81a8706f6c6c7574656401'],
  ];

  test.each(PAYLOADS)('%s', (_what, hex) => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    decodeClientFrame(bytes(hex));
    decodeServerFrame(bytes(hex));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  test('a __proto__ key inside presence arrives renamed to __proto_ (msgpackr guard), as an own property', () => {
    const r = decodeClientFrame(bytes(`${JOIN_LOBBY_PRESENCE}81a95f5f70726f746f5f5f81a8706f6c6c7574656401`));
    expect(r.ok).toBe(true);
    if (!r.ok || r.frame.kind !== 'control' || r.frame.message.type !== 'join') return;
    const presence = r.frame.message.presence as Record<string, unknown>;
    expect(Object.getPrototypeOf(presence)).toBe(Object.prototype);
    expect(Object.keys(presence)).toEqual(['__proto_']);
    expect(presence['__proto_']).toEqual({ polluted: 1 });
    expect((presence as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
