// Named test vectors: the exact bytes of every frame kind and control message type, in both
// directions. PROTOCOL.md cites them by name; vectors.test.ts encodes and decodes each one.
// The hex strings were produced once by the encoder and pinned here: if the encoding changes,
// the tests fail, and the change is a protocol change (new version, History entry).
import {
  DeliveryClass, encodeBatch, encodeControl, encodeData, encodeDeliver, type ClientFrame, type ClientMessage, type DataFrame, type DeliverFrame,
  type BatchFrame, type ServerFrame, type ServerMessage,
} from '@roomcast/protocol';

/** Which decoder reads the bytes: `client` = decodeClientFrame (the relay side), `server` = decodeServerFrame. */
export type Side = 'client' | 'server';

export type Vector =
  | { name: string; hex: string; decoder: 'client'; value: ClientFrame }
  | { name: string; hex: string; decoder: 'server'; value: ServerFrame };

export function bytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${hex}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(u: Uint8Array): string {
  let s = '';
  for (const b of u) s += b.toString(16).padStart(2, '0');
  return s;
}

// Builders that produce exactly what the decoders return (absent target/key are `undefined`).
function clientControl(name: string, hex: string, message: ClientMessage): Vector {
  return { name, hex, decoder: 'client', value: { kind: 'control', message } };
}
function serverControl(name: string, hex: string, message: ServerMessage): Vector {
  return { name, hex, decoder: 'server', value: { kind: 'control', message } };
}
function data(
  name: string, hex: string,
  h: { room: number; cls: DeliveryClass; target?: number; key?: number; group?: number }, payloadHex: string,
): Vector {
  const value: DataFrame = {
    kind: 'data', room: h.room, cls: h.cls, target: h.target, key: h.key, ...(h.group === undefined ? {} : { group: h.group }), payload: bytes(payloadHex),
  };
  return { name, hex, decoder: 'client', value };
}
function deliver(
  name: string, hex: string,
  h: { room: number; cls: DeliveryClass; sender: number; direct: boolean; key?: number }, payloadHex: string,
): Vector {
  const value: DeliverFrame = {
    kind: 'deliver', room: h.room, cls: h.cls, sender: h.sender, direct: h.direct, key: h.key, payload: bytes(payloadHex),
  };
  return { name, hex, decoder: 'server', value };
}

const { Reliable, Latest, Droppable } = DeliveryClass;

/** Default relay limits, as sent in `welcome`. */
export const DEFAULT_LIMITS = {
  maxPayloadBytes: 16384,
  maxControlBytes: 4096,
  maxRoomsPerConnection: 16,
  maxMembersPerRoom: 256,
  maxPresenceBytes: 512,
  maxMessagesPerSec: 200,
  idleTimeoutSec: 32,
  burstMessages: 400,
  maxBytesPerSec: 262144,
  maxKeysPerMember: 16,
  tickHz: 30,
  minTickHz: 1,
  maxTickHz: 60,
} as const;

export const VECTORS: readonly Vector[] = [
  // ---- control, client → relay ------------------------------------------------
  clientControl('hello', '0184a474797065a568656c6c6fa2696401a17601a6636c69656e74b1726f6f6d636173742d6a732f302e312e30',
    { type: 'hello', id: 1, v: 1, client: 'roomcast-js/0.1.0' }),
  clientControl('hello_minimal', '0183a474797065a568656c6c6fa2696401a17601',
    { type: 'hello', id: 1, v: 1 }),
  clientControl('join', '0183a474797065a46a6f696ea2696402a4726f6f6da56c6f626279',
    { type: 'join', id: 2, room: 'lobby' }),
  clientControl('join_settings', '0184a474797065a46a6f696ea2696402a4726f6f6da56d61746368a873657474696e677382a8636170616369747902a66c6f636b6564c3', { type: 'join', id: 2, room: 'match', settings: { capacity: 2, locked: true } }),
  clientControl('join_seat', '0184a474797065a46a6f696ea2696403a4726f6f6da56d61746368a473656174a86332566864433078', { type: 'join', id: 3, room: 'match', seat: 'c2VhdC0x' }),
  clientControl('join_presence', '0184a474797065a46a6f696ea2696402a4726f6f6da56c6f626279a870726573656e636581a46e616d65a3416461',
    { type: 'join', id: 2, room: 'lobby', presence: { name: 'Ada' } }),
  clientControl('leave', '0183a474797065a56c65617665a2696404a4726f6f6d01',
    { type: 'leave', id: 4, room: 1 }),
  clientControl('presence', '0184a474797065a870726573656e6365a2696403a4726f6f6d01a870726573656e636582a46e616d65a3416461a6747970696e67c3',
    { type: 'presence', id: 3, room: 1, presence: { name: 'Ada', typing: true } }),
  clientControl('ping', '0182a474797065a470696e67a2696405',
    { type: 'ping', id: 5 }),
  // v2: tokens (the codec treats a token as an opaque string; the relay verifies it)
  clientControl('hello_token', '0185a474797065a568656c6c6fa2696401a17602a6636c69656e74b1726f6f6d636173742d6a732f302e322e30a5746f6b656eab6161612e6262622e636363',
    { type: 'hello', id: 1, v: 2, client: 'roomcast-js/0.2.0', token: 'aaa.bbb.ccc' }),
  clientControl('refresh', '0183a474797065a772656672657368a2696406a5746f6b656eab6161612e6262622e646464',
    { type: 'refresh', id: 6, token: 'aaa.bbb.ddd' }),
  // interest groups (§4.5)
  clientControl('interest', '0184a474797065a8696e746572657374a2696407a4726f6f6d01a667726f757073930405cd012c',
    { type: 'interest', id: 7, room: 1, groups: [4, 5, 300] }),
  clientControl('interest_none', '0184a474797065a8696e746572657374a2696408a4726f6f6d01a667726f75707390',
    { type: 'interest', id: 8, room: 1, groups: [] }),

  // ---- control, relay → client ------------------------------------------------
  serverControl('welcome', '0185a474797065a777656c636f6d65a2696401a17601a773657373696f6ea86330666665653031a66c696d6974738daf6d61785061796c6f61644279746573cd4000af6d6178436f6e74726f6c4279746573cd1000b56d6178526f6f6d73506572436f6e6e656374696f6e10b16d61784d656d62657273506572526f6f6dcd0100b06d617850726573656e63654279746573cd0200b16d61784d65737361676573506572536563ccc8ae69646c6554696d656f757453656320ad62757273744d65737361676573cd0190ae6d61784279746573506572536563ce00040000b06d61784b6579735065724d656d62657210a67469636b487a1ea96d696e5469636b487a01a96d61785469636b487a3c',
    { type: 'welcome', id: 1, v: 1, session: 'c0ffee01', limits: { ...DEFAULT_LIMITS } }),
  serverControl('joined_first', '0186a474797065a66a6f696e6564a2696402a4726f6f6da56c6f626279a668616e646c6501a473656c6601a76d656d626572739182a2696401a870726573656e636581a46e616d65a3416461',
    { type: 'joined', id: 2, room: 'lobby', handle: 1, self: 1, members: [{ id: 1, presence: { name: 'Ada' } }] }),
  serverControl('joined', '0186a474797065a66a6f696e6564a2696402a4726f6f6da56c6f626279a668616e646c6501a473656c6602a76d656d626572739282a2696401a870726573656e636581a46e616d65a341646182a2696402a870726573656e636581a46e616d65a3426f62',
    {
      type: 'joined', id: 2, room: 'lobby', handle: 1, self: 2,
      members: [{ id: 1, presence: { name: 'Ada' } }, { id: 2, presence: { name: 'Bob' } }],
    }),
  serverControl('ok', '0182a474797065a26f6ba2696404',
    { type: 'ok', id: 4 }),
  serverControl('pong', '0182a474797065a4706f6e67a2696405',
    { type: 'pong', id: 5 }),
  serverControl('member_joined', '0183a474797065ad6d656d6265725f6a6f696e6564a4726f6f6d01a66d656d62657282a2696402a870726573656e636581a46e616d65a3426f62',
    { type: 'member_joined', room: 1, member: { id: 2, presence: { name: 'Bob' } } }),
  serverControl('member_joined_no_presence', '0183a474797065ad6d656d6265725f6a6f696e6564a4726f6f6d01a66d656d62657282a2696403a870726573656e6365c0',
    { type: 'member_joined', room: 1, member: { id: 3, presence: null } }),
  serverControl('member_updated', '0183a474797065ae6d656d6265725f75706461746564a4726f6f6d01a66d656d62657282a2696401a870726573656e636582a46e616d65a3416461a6747970696e67c3',
    { type: 'member_updated', room: 1, member: { id: 1, presence: { name: 'Ada', typing: true } } }),
  serverControl('member_left', '0183a474797065ab6d656d6265725f6c656674a4726f6f6d01a66d656d62657201',
    { type: 'member_left', room: 1, member: 1 }),
  serverControl('error_reply', '0184a474797065a56572726f72a2696402a4636f6465a9726f6f6d5f66756c6ca76d657373616765ac726f6f6d2069732066756c6c',
    { type: 'error', id: 2, code: 'room_full', message: 'room is full' }),
  serverControl('error_reply_room', '0185a474797065a56572726f72a2696404a4636f6465ab6e6f745f696e5f726f6f6da76d657373616765bb726f6f6d2068616e646c652039206973206e6f74206a6f696e6564a4726f6f6d09',
    { type: 'error', id: 4, code: 'not_in_room', message: 'room handle 9 is not joined', room: 9 }),
  serverControl('error_room', '0184a474797065a56572726f72a4636f6465ab6e6f745f696e5f726f6f6da76d657373616765ad6e6f7420696e20726f6f6d2037a4726f6f6d07',
    { type: 'error', code: 'not_in_room', message: 'not in room 7', room: 7 }),
  serverControl('error_connection', '0183a474797065a56572726f72a4636f6465a96261645f6672616d65a76d657373616765ab656d707479206672616d65',
    { type: 'error', code: 'bad_frame', message: 'empty frame' }),
  // v2: identity and tokens
  serverControl('welcome_token', '0187a474797065a777656c636f6d65a2696401a17602a773657373696f6ea86330666665653032a66c696d6974738daf6d61785061796c6f61644279746573cd4000af6d6178436f6e74726f6c4279746573cd1000b56d6178526f6f6d73506572436f6e6e656374696f6e10b16d61784d656d62657273506572526f6f6dcd0100b06d617850726573656e63654279746573cd0200b16d61784d65737361676573506572536563ccc8ae69646c6554696d656f757453656320ad62757273744d65737361676573cd0190ae6d61784279746573506572536563ce00040000b06d61784b6579735065724d656d62657210a67469636b487a1ea96d696e5469636b487a01a96d61785469636b487a3ca6757365724964a3616461ac65787069726573496e536563cd0e10',
    { type: 'welcome', id: 1, v: 2, session: 'c0ffee02', limits: { ...DEFAULT_LIMITS }, userId: 'ada', expiresInSec: 3600 }),
  serverControl('refreshed', '0183a474797065a9726566726573686564a2696406ac65787069726573496e536563cd0e10',
    { type: 'refreshed', id: 6, expiresInSec: 3600 }),
  serverControl('joined_identity', '0186a474797065a66a6f696e6564a2696402a4726f6f6da667616d653a37a668616e646c6501a473656c6602a76d656d626572739284a2696401a870726573656e6365c0a6757365724964a6736572766572a4696e666f81a4726f6c65a4686f737484a2696402a870726573656e636581a17801a6757365724964a3616461a4696e666f81a46e616d65a6416461204c2e',
    {
      type: 'joined', id: 2, room: 'game:7', handle: 1, self: 2,
      members: [
        { id: 1, presence: null, userId: 'server', info: { role: 'host' } },
        { id: 2, presence: { x: 1 }, userId: 'ada', info: { name: 'Ada L.' } },
      ],
    }),
  // room settings and host (§8.20)
  serverControl('joined_settings', '0189a474797065a66a6f696e6564a2696402a4726f6f6da56d61746368a668616e646c6501a473656c6601a76d656d626572739182a2696401a870726573656e6365c0a67469636b487a1ea873657474696e677384a8636170616369747904a66c6f636b6564c2a770726976617465c2a86d6574616461746181a36d6170a464757374a4686f737401',
    {
      type: 'joined', id: 2, room: 'match', handle: 1, self: 1, members: [{ id: 1, presence: null }], tickHz: 30,
      settings: { capacity: 4, locked: false, private: false, metadata: { map: 'dust' } }, host: 1,
    }),
  serverControl('room_settings', '0183a474797065ad726f6f6d5f73657474696e6773a4726f6f6d01a873657474696e677384a8636170616369747904a66c6f636b6564c3a770726976617465c2a86d65746164617461c0',
    { type: 'room_settings', room: 1, settings: { capacity: 4, locked: true, private: false, metadata: null } }),
  // seats (§8.21)
  serverControl('joined_seat', '018aa474797065a66a6f696e6564a2696403a4726f6f6da56d61746368a668616e646c6501a473656c6602a76d656d626572739283a2696401a870726573656e6365c0a461776179c382a2696402a870726573656e6365c0a67469636b487a1ea873657474696e677384a86361706163697479cd0100a66c6f636b6564c2a770726976617465c2a86d65746164617461c0a4686f737401a473656174a86332566864433078',
    {
      type: 'joined', id: 3, room: 'match', handle: 1, self: 2,
      members: [{ id: 1, presence: null, away: true }, { id: 2, presence: null }], tickHz: 30,
      settings: { capacity: 256, locked: false, private: false, metadata: null }, host: 1, seat: 'c2VhdC0x',
    }),
  // the room's file budget (appendix B.3 rule 2)
  serverControl('joined_files', '018aa474797065a66a6f696e6564a2696402a4726f6f6da56d61746368a668616e646c6501a473656c6601a76d656d626572739182a2696401a870726573656e6365c0a67469636b487a1ea873657474696e677384a8636170616369747904a66c6f636b6564c2a770726976617465c2a86d65746164617461c0a4686f737401af66696c654279746573506572536563ce00400000',
    {
      type: 'joined', id: 2, room: 'match', handle: 1, self: 1, members: [{ id: 1, presence: null }], tickHz: 30,
      settings: { capacity: 4, locked: false, private: false, metadata: null }, host: 1, fileBytesPerSec: 4194304,
    }),
  serverControl('member_away', '0183a474797065ab6d656d6265725f61776179a4726f6f6d01a66d656d62657202', { type: 'member_away', room: 1, member: 2 }),
  serverControl('member_back', '0183a474797065ab6d656d6265725f6261636ba4726f6f6d01a66d656d62657202', { type: 'member_back', room: 1, member: 2 }),
  serverControl('removed', '0183a474797065a772656d6f766564a4726f6f6d01a6726561736f6ea361666b', { type: 'removed', room: 1, reason: 'afk' }),
  serverControl('room_closed', '0183a474797065ab726f6f6d5f636c6f736564a4726f6f6d01a6726561736f6eaa6d61746368206f766572', { type: 'room_closed', room: 1, reason: 'match over' }),
  serverControl('host_changed', '0183a474797065ac686f73745f6368616e676564a4726f6f6d01a4686f737402', { type: 'host_changed', room: 1, host: 2 }),
  serverControl('member_joined_identity', '0183a474797065ad6d656d6265725f6a6f696e6564a4726f6f6d01a66d656d62657283a2696403a870726573656e6365c0a6757365724964a3626f62',
    { type: 'member_joined', room: 1, member: { id: 3, presence: null, userId: 'bob' } }),
  serverControl('error_forbidden', '0184a474797065a56572726f72a2696402a4636f6465a9666f7262696464656ea76d657373616765d925746f6b656e20646f6573206e6f7420616c6c6f77206a6f696e696e6720726f6f6d20766970',
    { type: 'error', id: 2, code: 'forbidden', message: 'token does not allow joining room vip' }),
  serverControl('error_unauthorized', '0184a474797065a56572726f72a2696401a4636f6465ac756e617574686f72697a6564a76d657373616765ba746f6b656e207369676e617475726520697320696e76616c6964',
    { type: 'error', id: 1, code: 'unauthorized', message: 'token signature is invalid' }),
  serverControl('close_token_expired', '0183a474797065a5636c6f7365a4636f6465cd1158a6726561736f6ead746f6b656e2065787069726564',
    { type: 'close', code: 4440, reason: 'token expired' }),
  // relay → client over raw TCP only (PROTOCOL.md appendix A)
  serverControl('heartbeat', '0181a474797065a9686561727462656174',
    { type: 'heartbeat' }),
  serverControl('close_going_away', '0183a474797065a5636c6f7365a4636f6465cd03e9a6726561736f6eb372656c6179207368757474696e6720646f776e',
    { type: 'close', code: 1001, reason: 'relay shutting down' }),
  serverControl('close_slow_consumer', '0183a474797065a5636c6f7365a4636f6465cd1197a6726561736f6ebe73656e64206275666665722061626f766520746865206861726420636170',
    { type: 'close', code: 4503, reason: 'send buffer above the hard cap' }),

  // ---- data, client → relay ---------------------------------------------------
  data('data_reliable', '02000001010203', { room: 1, cls: Reliable }, '010203'),
  data('data_direct', '020400010002010203', { room: 1, cls: Reliable, target: 2 }, '010203'),
  data('data_latest', '0201000107010203', { room: 1, cls: Latest, key: 7 }, '010203'),
  data('data_latest_direct', '02050001000207010203', { room: 1, cls: Latest, target: 2, key: 7 }, '010203'),
  data('data_droppable', '02020001010203', { room: 1, cls: Droppable }, '010203'),
  data('data_empty_payload', '02000001', { room: 1, cls: Reliable }, ''),
  data('data_byte_order', '02041234abcdff', { room: 0x1234, cls: Reliable, target: 0xabcd }, 'ff'),
  // interest groups (§4.5): flag 0x08, the group id after the room handle
  data('data_latest_group', '02090001000507010203', { room: 1, cls: Latest, key: 7, group: 5 }, '010203'),
  data('data_droppable_group', '020a00010005010203', { room: 1, cls: Droppable, group: 5 }, '010203'),
  data('data_reliable_group', '02080001abcd010203', { room: 1, cls: Reliable, group: 0xabcd }, '010203'),

  // ---- deliver, relay → client ------------------------------------------------
  deliver('deliver_reliable', '030000010001010203', { room: 1, cls: Reliable, sender: 1, direct: false }, '010203'),
  deliver('deliver_direct', '030400010001010203', { room: 1, cls: Reliable, sender: 1, direct: true }, '010203'),
  deliver('deliver_latest', '03010001000107010203', { room: 1, cls: Latest, sender: 1, direct: false, key: 7 }, '010203'),
  deliver('deliver_latest_direct', '03050001000107010203', { room: 1, cls: Latest, sender: 1, direct: true, key: 7 }, '010203'),
  deliver('deliver_droppable', '030200010001010203', { room: 1, cls: Droppable, sender: 1, direct: false }, '010203'),
  deliver('deliver_empty_payload', '030000010001', { room: 1, cls: Reliable, sender: 1, direct: false }, ''),
  deliver('deliver_byte_order', '03001234abcdff', { room: 0x1234, cls: Reliable, sender: 0xabcd, direct: false }, 'ff'),
  deliver('deliver_from_server', '030000010000010203', { room: 1, cls: Reliable, sender: 0, direct: false }, '010203'),
  deliver('deliver_from_server_direct', '030400010000010203', { room: 1, cls: Reliable, sender: 0, direct: true }, '010203'),

  // ---- batch, relay → client (latest values of one room tick) -------------------
  batch('batch_one_cursor', '0401000101000312345f', 1, false, [[1, 0, '12345f']]),
  batch('batch_two_senders', '040100070300020a0b05010102', 7, false, [[3, 0, '0a0b'], [5, 1, '02']]),
  batch('batch_snapshot_cleared_key', '04090001ac020200', 1, true, [[300, 2, '']]),
  batch('batch_snapshot_empty_room', '04090001', 1, true, []),
  // interest groups (§4.5): flag 0x10, the group id after the room handle
  batch('batch_group', '04110001000501000312345f', 1, false, [[1, 0, '12345f']], 5),
  batch('batch_group_snapshot_empty', '041900010005', 1, true, [], 5),
];

function batch(name: string, hex: string, room: number, snapshot: boolean, entries: [number, number, string][], group?: number): Vector {
  const value: BatchFrame = { kind: 'batch', room, snapshot, entries: entries.map(([sender, key, p]) => ({ sender, key, payload: bytes(p) })) };
  if (group !== undefined) value.group = group;
  return { name, hex, decoder: 'server', value };
}

/** Encodes a decoded frame value back to bytes with the package's encoders. */
export function encodeFrame(frame: ClientFrame | ServerFrame): Uint8Array {
  switch (frame.kind) {
    case 'control':
      return encodeControl(frame.message);
    case 'data':
      return encodeData({ room: frame.room, cls: frame.cls, target: frame.target, key: frame.key, group: frame.group }, frame.payload);
    case 'batch':
      return encodeBatch(frame.room, frame.entries, frame.snapshot, frame.group);
    case 'deliver':
      return encodeDeliver(
        { room: frame.room, cls: frame.cls, sender: frame.sender, direct: frame.direct, key: frame.key }, frame.payload,
      );
  }
}

/** Looks a vector up by name (throws on a typo, so tests and docs cannot drift silently). */
export function vector(name: string): Vector {
  const v = VECTORS.find((x) => x.name === name);
  if (!v) throw new Error(`no test vector named ${name}`);
  return v;
}
