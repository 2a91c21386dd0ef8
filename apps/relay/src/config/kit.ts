// Helpers shared by the parts of the relay's configuration schema (config.ts composes them).
import { z } from 'zod';

export const number = () => z.coerce.number({ error: 'must be a number' });
export const int = (min: number, max: number) =>
  number().int({ error: 'must be a whole number' }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

/** A comma-separated list: entries trimmed, empty ones dropped. */
export function commaList(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}
