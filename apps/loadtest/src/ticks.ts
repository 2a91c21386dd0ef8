// "Nice" axis ticks for the HTML report: steps of 1, 2 or 5 x 10^n, so a reader sees 0, 5, 10, 15
// rather than 3.92, 7.85, 11.8 (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).

export interface Ticks {
  /** Tick values, ascending. */
  values: number[];
  step: number;
  /** Axis end: the last tick (≥ the data maximum for a y axis from 0). */
  max: number;
  /** Decimals that show every tick exactly (0 for integer steps). */
  decimals: number;
}

/** The nice step (1, 2 or 5 x 10^n) nearest above span / target. */
export function niceStep(span: number, target = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const rough = span / Math.max(1, target);
  const mag = Math.pow(10, Math.floor(Math.log10(rough)));
  const r = rough / mag;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

/**
 * Ticks for an axis from 0 to at least `max`, about `target` intervals. `integer`: counts, so the
 * step is at least 1 and labels never read "0.50 messages".
 */
export function niceTicks(max: number, target = 5, integer = false): Ticks {
  let step = niceStep(max > 0 ? max : 1, target);
  if (integer) step = Math.max(1, Math.round(step));
  const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  const n = Math.round(top / step);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values = Array.from({ length: n + 1 }, (_, i) => Number((i * step).toFixed(decimals)));
  return { values, step, max: values[values.length - 1]!, decimals };
}

/**
 * Round ticks inside [lo, hi] for a log axis: 1, 2, 5 x 10^n. When the range is too narrow to hold
 * three of them, nice linear ticks inside the range instead.
 */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  if (!(lo > 0) || !(hi > lo)) return out;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * Math.pow(10, e)).toPrecision(1));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  if (out.length >= 3) return out;
  const step = niceStep(hi - lo, 4);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const lin: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12 && lin.length < 20; v += step) lin.push(Number(v.toFixed(decimals)));
  return lin;
}

/** A tick label: exact to the step's decimals, thousands separated ("1,000", "0.05"). */
export function tickLabel(v: number, decimals: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
