// Small statistics helpers shared by the load tester and the bench: medians, ranges, ratios.

/** Median of a non-empty list (mean of the two middle values for even lengths); NaN if empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a list; NaN if empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(rank, s.length) - 1]!;
}

export interface RatioSummary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median and min-max of pairwise ratios a[i] / b[i] (pairs with a non-finite ratio are skipped). */
export function ratioSummary(a: readonly number[], b: readonly number[]): RatioSummary | null {
  const r: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const v = a[i]! / b[i]!;
    if (Number.isFinite(v)) r.push(v);
  }
  if (r.length === 0) return null;
  return { median: median(r), min: Math.min(...r), max: Math.max(...r), n: r.length };
}

/** Rounds to `digits` significant digits (for tables and JSON). */
export function sig(v: number, digits = 3): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const p = Math.pow(10, digits - Math.ceil(Math.log10(Math.abs(v))));
  return Math.round(v * p) / p;
}
