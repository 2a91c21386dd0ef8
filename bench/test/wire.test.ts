// The baselines' adapter: the slice of the Roomcast protocol they speak.
import { describe, expect, it } from 'vitest';
import { decodeServerFrame, encodeControl, encodeData } from '@roomcast/protocol';
import { handleMessage, memberLeft, RoomTable } from '../src/servers/wire.js';

describe('baseline wire adapter', () => {
  it('answers hello with welcome and join with joined + member_joined', () => {
    const rooms = new RoomTable();
    const joined = new Map<number, number>();
    const hello = handleMessage(encodeControl({ type: 'hello', id: 1, v: 1 }), joined, rooms);
    expect(hello.kind).toBe('reply');
    const w = decodeServerFrame((hello as { frame: Uint8Array }).frame);
    expect(w.ok && w.frame.kind === 'control' && w.frame.message.type).toBe('welcome');

    const a = handleMessage(encodeControl({ type: 'join', id: 2, room: 'r' }), joined, rooms);
    const b = handleMessage(encodeControl({ type: 'join', id: 2, room: 'r' }), new Map(), rooms);
    expect(a.kind === 'joined' && b.kind === 'joined').toBe(true);
    if (a.kind !== 'joined' || b.kind !== 'joined') return;
    expect(a.membership).toEqual({ handle: 1, member: 1 });
    expect(b.membership).toEqual({ handle: 1, member: 2 });
    const reply = decodeServerFrame(a.reply);
    expect(reply.ok && reply.frame.kind === 'control' && reply.frame.message).toMatchObject({ type: 'joined', id: 2, handle: 1, self: 1 });
  });

  it('turns a data frame into a deliver frame stamped with the sender', () => {
    const rooms = new RoomTable();
    const joined = new Map<number, number>([[1, 7]]);
    const out = handleMessage(encodeData({ room: 1 }, new Uint8Array([1, 2, 3])), joined, rooms);
    expect(out.kind).toBe('broadcast');
    if (out.kind !== 'broadcast') return;
    expect(Buffer.from(out.frame).toString('hex')).toBe('030000010007010203');
    expect(handleMessage(encodeData({ room: 9 }, new Uint8Array([1])), joined, rooms).kind).toBe('none');
    expect(handleMessage(new Uint8Array([0xff]), joined, rooms).kind).toBe('none');
  });

  it('announces departures', () => {
    const f = decodeServerFrame(memberLeft(1, 2));
    expect(f.ok && f.frame.kind === 'control' && f.frame.message).toEqual({ type: 'member_left', room: 1, member: 2 });
  });
});
