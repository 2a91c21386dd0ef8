// Error results shared by the two frame decoders (decode-client.ts, decode-server.ts).
// Internal: not exported from the package entries.
import type { ErrorCode } from './codes.js';

/** Why a frame was refused (the error code the relay sends back, and a message naming the rule). */
export interface DecodeError {
  code: Extract<ErrorCode, 'bad_frame' | 'bad_message'>;
  message: string;
  /** For `bad_message`: the request id, when the invalid message still carried a valid one (so the reply can echo it). */
  id?: number;
}

/** An issue as both zod and the hand-written validators report it. */
export interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/** A failed decode result. */
export function fail(code: DecodeError['code'], message: string): { ok: false; error: DecodeError } {
  return { ok: false, error: { code, message } };
}

/** Two hex digits of a byte, for error messages. */
export function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function describeIssue(issue: Issue | undefined): string {
  // Stryker disable next-line all: defensive, zod and parseServerMessage report an issue for every failed parse.
  if (!issue) return 'invalid message';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** The `id` of an invalid control message, if it is a valid request id (u32). */
function requestIdOf(value: unknown): number | undefined {
  if (value === null || typeof value !== 'object' || !('id' in value)) return undefined;
  const id = value.id;
  // Stryker disable next-line ConditionalExpression: equivalent, Number.isInteger is false for non-numbers; typeof is there for the type checker.
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffff_ffff ? id : undefined;
}

function typeOf(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'type' in value && typeof value.type === 'string') {
    return `'${value.type.slice(0, 32)}' `;
  }
  return '';
}

/** A `bad_message` result for a control message that decoded but broke a rule. */
export function invalidMessage(value: unknown, issue: Issue | undefined): { ok: false; error: DecodeError } {
  const error: DecodeError = { code: 'bad_message', message: `control message ${typeOf(value)}invalid: ${describeIssue(issue)}` };
  const id = requestIdOf(value);
  if (id !== undefined) error.id = id;
  return { ok: false, error };
}
