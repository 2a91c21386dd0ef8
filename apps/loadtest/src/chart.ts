// Inline SVG charts for the HTML report (no scripts, fonts or CDN: the file opens offline):
// a line chart over the seconds of the window, and a bar chart of log-spaced histogram buckets.
// Axes use nice ticks (ticks.ts).
import { logTicks, niceTicks, tickLabel } from './ticks.js';

const W = 720;
const H = 260;
const PAD = { l: 64, r: 16, t: 20, b: 40 };
const IW = W - PAD.l - PAD.r;
const IH = H - PAD.t - PAD.b;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface Series {
  name: string;
  color: string;
  /** [x, y] points; y null = no value for that x (a gap, not a zero). */
  points: [number, number | null][];
}

function svgOpen(label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)}">`;
}

/** Frame, horizontal grid lines with y tick labels, axis titles. */
function frame(xLabel: string, yLabel: string, yMax: number, integer: boolean): { svg: string; py: (v: number) => number } {
  const t = niceTicks(yMax, 5, integer);
  const py = (v: number): number => H - PAD.b - (IH * v) / t.max;
  let svg = '';
  for (const v of t.values) {
    const y = py(v).toFixed(1);
    svg += `<line x1="${PAD.l}" y1="${y}" x2="${W - PAD.r}" y2="${y}" stroke="${v === 0 ? '#444' : '#ddd'}"/>`;
    svg += `<text x="${PAD.l - 6}" y="${Number(y) + 4}" text-anchor="end" font-size="11">${tickLabel(v, t.decimals)}</text>`;
  }
  svg += `<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" stroke="#444"/>`;
  svg += `<text x="${PAD.l + IW / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${escapeHtml(xLabel)}</text>`;
  const cy = PAD.t + IH / 2;
  svg += `<text x="14" y="${cy}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${cy})">${escapeHtml(yLabel)}</text>`;
  return { svg, py };
}

function xTick(x: number, label: string): string {
  return `<line x1="${x.toFixed(1)}" y1="${H - PAD.b}" x2="${x.toFixed(1)}" y2="${H - PAD.b + 4}" stroke="#444"/>`
    + `<text x="${x.toFixed(1)}" y="${H - PAD.b + 16}" text-anchor="middle" font-size="11">${escapeHtml(label)}</text>`;
}

function legend(series: readonly Series[]): string {
  return series.map((s, i) => `<text x="${W - PAD.r - 8 - (series.length - 1 - i) * 110}" y="${PAD.t - 6}" text-anchor="end" font-size="12" fill="${s.color}">■ ${escapeHtml(s.name)}</text>`).join('');
}

/** Line chart: x = second of the window (integer ticks), y from 0 with nice ticks. */
export function lineChart(label: string, xLabel: string, yLabel: string, series: readonly Series[], integerY: boolean): string {
  const ys = series.flatMap((s) => s.points.map((p) => p[1]).filter((v): v is number => v !== null));
  if (ys.length === 0) return `<p>No data for ${escapeHtml(label)}.</p>`;
  const xMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const { svg, py } = frame(xLabel, yLabel, Math.max(...ys), integerY);
  const px = (x: number): number => PAD.l + (IW * x) / xMax;
  let out = svgOpen(label) + svg;
  const xt = niceTicks(xMax, 10, true);
  for (const v of xt.values) if (v <= xMax) out += xTick(px(v), String(v));
  for (const s of series) {
    // Split at gaps so a missing second does not draw a line through zero.
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 1) out += `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${run.join(' ')}"/>`;
      else if (run.length === 1) { const [x, y] = run[0]!.split(','); out += `<circle cx="${x}" cy="${y}" r="2.5" fill="${s.color}"/>`; }
      run = [];
    };
    for (const [x, y] of s.points) {
      if (y === null) flush();
      else run.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    }
    flush();
  }
  return `${out}${legend(series)}</svg>`;
}

/**
 * Bar chart of log-spaced buckets ({up_to_ms, count}, as `histogram` in the JSON) on a log x axis
 * with round ticks (1, 2, 5 x 10^n ms); the count axis is integer.
 */
export function logHistogramChart(label: string, xLabel: string, yLabel: string, buckets: readonly { up_to_ms: number; count: number }[], color: string): string {
  if (buckets.length === 0 || buckets.every((b) => b.count === 0)) return `<p>No samples for ${escapeHtml(label)}.</p>`;
  const ups = buckets.map((b) => Math.max(b.up_to_ms, 1e-3));
  // Buckets are log-spaced: the first one starts one ratio below its upper bound.
  const ratio = ups.length > 1 && ups[1]! > ups[0]! ? ups[1]! / ups[0]! : 2;
  const lo = ups[0]! / ratio;
  const hi = ups[ups.length - 1]!;
  const lx = (v: number): number => PAD.l + (IW * Math.log(v / lo)) / Math.log(hi / lo);
  const { svg, py } = frame(xLabel, yLabel, Math.max(...buckets.map((b) => b.count)), true);
  let out = svgOpen(label) + svg;
  buckets.forEach((b, i) => {
    const x0 = lx(i === 0 ? lo : ups[i - 1]!);
    const x1 = lx(ups[i]!);
    const y = py(b.count);
    out += `<rect x="${(x0 + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 1).toFixed(1)}" height="${(H - PAD.b - y).toFixed(1)}" fill="${color}">`
      + `<title>${b.count.toLocaleString('en-US')} up to ${b.up_to_ms} ms</title></rect>`;
  });
  for (const v of logTicks(lo, hi)) out += xTick(lx(v), v.toLocaleString('en-US', { maximumFractionDigits: 6 }));
  return `${out}</svg>`;
}

/** Bar chart of equal-width buckets from 0 ({up_to_ms, count}); both axes with nice ticks. */
export function linearHistogramChart(label: string, xLabel: string, yLabel: string, buckets: readonly { up_to_ms: number; count: number }[], color: string): string {
  if (buckets.length === 0 || buckets.every((b) => b.count === 0)) return `<p>No samples for ${escapeHtml(label)}.</p>`;
  const xt = niceTicks(buckets[buckets.length - 1]!.up_to_ms, 8);
  const lx = (v: number): number => PAD.l + (IW * v) / xt.max;
  const { svg, py } = frame(xLabel, yLabel, Math.max(...buckets.map((b) => b.count)), true);
  let out = svgOpen(label) + svg;
  buckets.forEach((b, i) => {
    const x0 = lx(i === 0 ? 0 : buckets[i - 1]!.up_to_ms);
    const x1 = lx(b.up_to_ms);
    const y = py(b.count);
    out += `<rect x="${(x0 + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 1).toFixed(1)}" height="${(H - PAD.b - y).toFixed(1)}" fill="${color}">`
      + `<title>${b.count.toLocaleString('en-US')} below ${b.up_to_ms} ms</title></rect>`;
  });
  for (const v of xt.values) out += xTick(lx(v), tickLabel(v, xt.decimals));
  return `${out}</svg>`;
}
