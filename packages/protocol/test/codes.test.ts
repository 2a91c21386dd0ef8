// Close and error codes are documented data: unique, in the right ranges, and the reconnect rule
// a client applies is the one PROTOCOL.md states.
import { describe, expect, test } from 'vitest';
import {
  CloseCodes, ERROR_CODE_NAMES, ErrorCodes, closeInfo, errorSchema, shouldReconnect, type CloseName,
} from '@roomcast/protocol';

const entries = Object.entries(CloseCodes) as [CloseName, (typeof CloseCodes)[CloseName]][];

describe('CloseCodes', () => {
  test('every code is unique', () => {
    const codes = entries.map(([, info]) => info.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  test.each(entries)('%s is in 1000-1015 (RFC 6455) or 4000-4999 (application)', (_name, info) => {
    const rfc = info.code >= 1000 && info.code <= 1015;
    const app = info.code >= 4000 && info.code <= 4999;
    expect(rfc || app).toBe(true);
    // 1005, 1006 and 1015 are reserved by RFC 6455: they must never be sent in a close frame.
    expect([1004, 1005, 1006, 1015]).not.toContain(info.code);
  });

  test.each(entries)('%s has a description and a boolean reconnect flag', (_name, info) => {
    expect(info.description.length).toBeGreaterThan(10);
    expect(typeof info.reconnect).toBe('boolean');
  });

  test('the codes the relay sends are the documented ones', () => {
    expect(Object.fromEntries(entries.map(([name, info]) => [name, [info.code, info.reconnect]]))).toStrictEqual({
      normal: [1000, false],
      going_away: [1001, true],
      message_too_big: [1009, false],
      try_again_later: [1013, true],
      protocol_error: [4400, false],
      unauthorized: [4401, false],
      kicked: [4403, false],
      unsupported_version: [4406, false],
      timeout: [4408, true],
      rate_limited: [4429, true],
      token_expired: [4440, true],
      internal_error: [4500, true],
      frames_lost: [4502, true],
      slow_consumer: [4503, true],
    });
  });

  test('closeInfo finds each entry by code, with its name', () => {
    for (const [name, info] of entries) expect(closeInfo(info.code)).toStrictEqual({ ...info, name });
    expect(closeInfo(1006)).toBeUndefined();
    expect(closeInfo(4999)).toBeUndefined();
  });
});

describe('shouldReconnect', () => {
  test.each(entries)('%s follows its reconnect flag', (_name, info) => {
    expect(shouldReconnect(info.code)).toBe(info.reconnect);
  });

  test.each([
    [1005, 'no status received'],
    [1006, 'abnormal closure (network drop, relay crash, half-open connection)'],
    [1011, 'internal error (from a proxy)'],
    [1012, 'service restart'],
    [1013, 'try again later'],
    [1014, 'bad gateway'],
    [4000, 'an application code this version does not define'],
    [4999, 'an application code this version does not define'],
  ])('unknown code %i (%s) → true', (code) => {
    expect(shouldReconnect(code)).toBe(true);
  });

  test('codes that mean "fix the client" do not reconnect', () => {
    for (const code of [1000, 1009, 4400, 4401, 4406]) expect(shouldReconnect(code)).toBe(false);
  });
});

describe('ErrorCodes', () => {
  test('ERROR_CODE_NAMES lists exactly the ErrorCodes keys, in order', () => {
    expect(ERROR_CODE_NAMES).toStrictEqual(Object.keys(ErrorCodes));
    expect(new Set(ERROR_CODE_NAMES).size).toBe(ERROR_CODE_NAMES.length);
  });

  test('the error message schema accepts every code and nothing else', () => {
    for (const code of ERROR_CODE_NAMES) {
      expect(errorSchema.safeParse({ type: 'error', code, message: 'x' }).success).toBe(true);
    }
    expect(errorSchema.safeParse({ type: 'error', code: 'slow_consumer', message: 'x' }).success).toBe(false);
  });

  test.each(Object.entries(ErrorCodes))('%s is snake_case with a description and a retry flag', (name, info) => {
    expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(info.description.length).toBeGreaterThan(10);
    expect(typeof info.retry).toBe('boolean');
  });

  test('the documented error codes', () => {
    expect(Object.fromEntries(Object.entries(ErrorCodes).map(([name, info]) => [name, info.retry]))).toStrictEqual({
      bad_frame: false,
      bad_message: false,
      handshake_required: false,
      already_welcomed: false,
      unsupported_version: false,
      bad_room_name: false,
      room_full: true,
      room_locked: true,
      too_many_rooms: false,
      relay_full: true,
      already_joined: false,
      not_in_room: false,
      unknown_member: false,
      unsupported_class: false,
      too_many_keys: false,
      too_many_groups: false,
      bad_tick_rate: false,
      payload_too_large: false,
      control_too_large: false,
      presence_too_large: false,
      unauthorized: false,
      token_expired: true,
      forbidden: false,
      rate_limited: true,
      internal: true,
    });
  });
});
