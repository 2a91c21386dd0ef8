// The decoders' exact error texts (what a client developer reads in an error frame or a log) and
// the bounds of the control-message schemas that the vectors and the malformed table leave open.
import { describe, expect, it } from 'vitest';
import {
  controlMessageSchema, decodeClientFrame, decodeServerFrame, readDataHeader,
} from '../src/index.js';
import { packPlain } from '../src/plain-writer.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
/** A control frame holding `value` as it is, valid or not. */
const control = (value: unknown): Uint8Array => Uint8Array.of(0x01, ...packPlain(value));

describe('decoder error texts', () => {
  it.each([
    ['00', 'unknown frame kind 0x00 from a client'],
    ['05', 'unknown frame kind 0x05 from a client'],
    ['ff', 'unknown frame kind 0xff from a client'],
    ['03000001000102', 'unknown frame kind 0x03 from a client'],
  ])('client frame %s: %s', (hex, message) => {
    expect(decodeClientFrame(bytes(hex))).toEqual({ ok: false, error: { code: 'bad_frame', message } });
  });

  it.each([
    ['00', 'unknown frame kind 0x00 from the relay'],
    ['0a', 'unknown frame kind 0x0a from the relay'],
    ['02000001', 'unknown frame kind 0x02 from the relay'],
  ])('server frame %s: %s', (hex, message) => {
    expect(decodeServerFrame(bytes(hex))).toEqual({ ok: false, error: { code: 'bad_frame', message } });
  });

  it('readDataHeader refuses a frame that is not a data frame, naming its kind', () => {
    expect(readDataHeader(bytes('01000001'))).toEqual({ ok: false, error: { code: 'bad_frame', message: 'expected a data frame (0x02), got 0x01' } });
    expect(readDataHeader(bytes('0a000001'))).toEqual({ ok: false, error: { code: 'bad_frame', message: 'expected a data frame (0x02), got 0x0a' } });
  });

  it('names the message type and the first bad field, with the request id', () => {
    expect(decodeClientFrame(control({ type: 'ping', id: 7, extra: 1 }))).toEqual({
      ok: false, error: { code: 'bad_message', id: 7, message: expect.stringMatching(/^control message 'ping' invalid: /) },
    });
    const r = decodeClientFrame(control({ type: 'leave', id: 3, room: 0 }));
    expect(r.ok === false && r.error.message).toMatch(/^control message 'leave' invalid: room: /);
    expect(r.ok === false && r.error.id).toBe(3);
  });

  it.each([
    [0, 0], [0xffff_ffff, 0xffff_ffff], [-1, undefined], [0x1_0000_0000, undefined], [1.5, undefined], ['5', undefined],
  ])('an invalid message with id %j echoes id %j', (id, echoed) => {
    const r = decodeClientFrame(control({ type: 'ping', id, extra: true }));
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.error.id).toBe(echoed);
  });

  it('joins a nested field path with dots', () => {
    const welcome = { type: 'welcome', id: 1, v: 1, session: 's', limits: { maxPayloadBytes: 'big' } };
    const r = decodeServerFrame(control(welcome));
    expect(r.ok === false && r.error.message).toMatch(/^control message 'welcome' invalid: limits\.[a-zA-Z]+: /);
  });

  it('leaves the type out when there is none, or it is not a string, and cuts a long one to 32 characters', () => {
    const noType = decodeClientFrame(control({ id: 1 }));
    expect(noType.ok === false && noType.error.message).toMatch(/^control message invalid: type: /);
    const numberType = decodeClientFrame(control({ type: 5, id: 1 }));
    expect(numberType.ok === false && numberType.error.message).toMatch(/^control message invalid: type: /);
    const long = 'x'.repeat(40);
    const longType = decodeClientFrame(control({ type: long, id: 1 }));
    expect(longType.ok === false && longType.error.message).toMatch(new RegExp(`^control message '${'x'.repeat(32)}' invalid: type: `));
  });

  it('a top-level value that is not a map has no path in its text', () => {
    const r = decodeClientFrame(bytes('01c0'));
    expect(r.ok === false && r.error.code).toBe('bad_message');
    expect(r.ok === false && r.error.message).toBe('control message invalid: Invalid input: expected object, received null');
  });

  it('a joined reply with a bad room name says what a room name is', () => {
    const joined = { type: 'joined', id: 1, room: 'a b', handle: 1, self: 1, members: [] };
    expect(decodeServerFrame(control(joined))).toEqual({
      ok: false,
      error: { code: 'bad_message', id: 1, message: "control message 'joined' invalid: room: room name must be 1-128 printable ASCII characters" },
    });
  });
});

describe('schema bounds', () => {
  it('join tickHz: 1 to 1000', () => {
    for (const tickHz of [1, 1000]) expect(decodeClientFrame(control({ type: 'join', id: 1, room: 'r', tickHz })).ok).toBe(true);
    for (const tickHz of [0, 1001, 1.5]) expect(decodeClientFrame(control({ type: 'join', id: 1, room: 'r', tickHz })).ok).toBe(false);
  });

  it('joined tickHz: at least 1, no upper bound of its own', () => {
    const joined = (tickHz: number) => control({ type: 'joined', id: 1, room: 'r', handle: 1, self: 1, members: [], tickHz });
    expect(decodeServerFrame(joined(1)).ok).toBe(true);
    expect(decodeServerFrame(joined(5000)).ok).toBe(true);
    expect(decodeServerFrame(joined(0)).ok).toBe(false);
  });

  it('controlMessageSchema takes any client or server message', () => {
    expect(controlMessageSchema.safeParse({ type: 'ping', id: 1 }).success).toBe(true);
    expect(controlMessageSchema.safeParse({ type: 'pong', id: 1 }).success).toBe(true);
    expect(controlMessageSchema.safeParse({ type: 'shout' }).success).toBe(false);
  });
});
