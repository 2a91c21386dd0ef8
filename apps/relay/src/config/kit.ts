// Helpers shared by the parts of the relay's configuration schema (config.ts composes them).
import { z } from 'zod';

export const number = () => z.coerce.number({ error: 'must be a number' });
export const int = (min: number, max: number) =>
  number().int({ error: 'must be a whole number' }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

/** A comma-separated list: entries trimmed, empty ones dropped. */
export function commaList(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * A setting that is either `word` or a whole number from `min` to `max` (digits only, at most
 * as many as `max` has): the word as it is, the number as a number, else `message`.
 */
export function wordOrInt<W extends string>(word: W, fallback: string, min: number, max: number, message: string) {
  const digits = new RegExp(`^\\d{1,${String(max).length}}$`);
  return z.string().default(fallback).transform((value, ctx) => {
    if (value === word) return word;
    const n = digits.test(value) ? Number(value) : Number.NaN;
    if (n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
}
