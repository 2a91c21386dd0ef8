// Self-contained HTML report: summary table, latency-over-time and latency histogram as inline
// SVG. No scripts, fonts or CDN: the file opens offline.
import type { Report } from './report.js';
import { summaryTable } from './report.js';

const W = 720;
const H = 260;
const PAD = { l: 56, r: 16, t: 16, b: 36 };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function axes(xLabel: string, yLabel: string, yMax: number, xTicks: { x: number; label: string }[]): string {
  const ih = H - PAD.t - PAD.b;
  let out = `<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="#444"/>`;
  out += `<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" stroke="#444"/>`;
  for (let i = 0; i <= 4; i++) {
    const y = H - PAD.b - (ih * i) / 4;
    out += `<line x1="${PAD.l}" y1="${y}" x2="${W - PAD.r}" y2="${y}" stroke="#ddd"/>`;
    out += `<text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">${fmtNum((yMax * i) / 4)}</text>`;
  }
  for (const t of xTicks) out += `<text x="${t.x}" y="${H - PAD.b + 16}" text-anchor="middle" font-size="11">${escapeHtml(t.label)}</text>`;
  out += `<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 4}" text-anchor="middle" font-size="12">${escapeHtml(xLabel)}</text>`;
  out += `<text x="14" y="${(PAD.t + H - PAD.b) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${(PAD.t + H - PAD.b) / 2})">${escapeHtml(yLabel)}</text>`;
  return out;
}

function fmtNum(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Line chart of p50 and p99 latency per second of the measured window. */
export function latencyOverTimeSvg(r: Report): string {
  const pts = r.timeline.filter((p) => p.p99_ms !== null);
  if (pts.length === 0) return '<p>No latency samples.</p>';
  const yMax = Math.max(...pts.map((p) => p.p99_ms!)) * 1.1 || 1;
  const xMax = Math.max(1, r.timeline.length - 1);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const px = (s: number): number => PAD.l + (iw * s) / xMax;
  const py = (v: number): number => H - PAD.b - (ih * v) / yMax;
  const line = (key: 'p50_ms' | 'p99_ms', color: string): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${px(p.second).toFixed(1)},${py(p[key]!).toFixed(1)}`).join(' ')}"/>`;
  const step = Math.max(1, Math.ceil(xMax / 10));
  const ticks = [];
  for (let s = 0; s <= xMax; s += step) ticks.push({ x: px(s), label: String(s) });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="latency over time">`
    + axes('second of the measured window', 'latency ms', yMax, ticks)
    + line('p50_ms', '#2a7ab0') + line('p99_ms', '#d1495b')
    + `<text x="${W - PAD.r - 110}" y="${PAD.t + 12}" font-size="12" fill="#2a7ab0">p50</text>`
    + `<text x="${W - PAD.r - 70}" y="${PAD.t + 12}" font-size="12" fill="#d1495b">p99</text></svg>`;
}

/** Bar chart of the latency histogram (log-spaced buckets). */
export function histogramSvg(r: Report): string {
  const b = r.histogram;
  if (b.length === 0) return '<p>No latency samples.</p>';
  const yMax = Math.max(...b.map((x) => x.count)) || 1;
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = iw / b.length;
  let bars = '';
  b.forEach((x, i) => {
    const h = (ih * x.count) / yMax;
    bars += `<rect x="${(PAD.l + i * bw + 1).toFixed(1)}" y="${(H - PAD.b - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#66a182"><title>≤ ${x.up_to_ms} ms: ${x.count}</title></rect>`;
  });
  const ticks = b.map((x, i) => ({ x: PAD.l + (i + 0.5) * bw, label: `${x.up_to_ms}` })).filter((_, i) => i % Math.ceil(b.length / 8) === 0);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="latency histogram">`
    + axes('latency ms (bucket upper bound, log scale)', 'messages', yMax, ticks) + bars + '</svg>';
}

export function renderHtml(r: Report): string {
  const sat = r.saturation
    ? `<h2>Saturation steps</h2><table><tr><th>Hz/client</th><th>offered/s</th><th>delivered/s</th><th>ratio</th><th>p99 ms</th><th>server CPU%</th><th>ok</th></tr>${r.saturation.steps
      .map((s) => `<tr><td>${s.hz}</td><td>${s.offered_per_sec}</td><td>${s.delivered_per_sec}</td><td>${s.delivered_ratio}</td><td>${s.p99_ms}</td><td>${s.server_cpu_pct ?? '-'}</td><td>${s.ok ? 'yes' : 'no'}</td></tr>`).join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Roomcast load test ${escapeHtml(r.started_at)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:60em;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}.warn{color:#a40}</style></head>
<body><h1>Roomcast load test</h1>
<p>${escapeHtml(r.started_at)} · Node ${escapeHtml(r.node)} · ${escapeHtml(r.url)}</p>
${r.warnings.map((w) => `<p class="warn">Warning: ${escapeHtml(w)}</p>`).join('\n')}
<h2>Summary</h2><pre>${escapeHtml(summaryTable(r))}</pre>
<h2>Latency over time (probe receivers)</h2>${latencyOverTimeSvg(r)}
<h2>Latency histogram</h2>${histogramSvg(r)}
${sat}
<h2>All figures (JSON)</h2><pre>${escapeHtml(JSON.stringify(r, null, 2))}</pre>
</body></html>
`;
}
