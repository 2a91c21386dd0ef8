// Self-contained HTML report: summary, charts as inline SVG (chart.ts), saturation steps, and
// every figure as JSON folded in a <details>. No scripts, fonts or CDN: the file opens offline.
import { escapeHtml, lineChart, linearHistogramChart, logHistogramChart } from './chart.js';
import type { Report } from './report.js';
import { summaryTable } from './report.js';

export { escapeHtml };

/** Sent and delivered messages per second of the window (by send time), so dips and stalls show. */
export function throughputSvg(r: Report): string {
  // The last second of the window may be partial (e.g. 0.002 s of a 10.002 s window): per second.
  const rate = (n: number, second: number): number | null => {
    const span = Math.min(1, r.seconds - second);
    return span >= 0.05 ? Math.round(n / span) : null;
  };
  return lineChart('throughput over time', 'second of the measured window (by send time)', 'messages per second', [
    { name: 'sent/s', color: '#2a7ab0', points: r.timeline.map((t) => [t.second, rate(t.sent, t.second)]) },
    { name: 'delivered/s', color: '#66a182', points: r.timeline.map((t) => [t.second, rate(t.delivered, t.second)]) },
  ], true);
}

/** p50 and p99 latency per second of the window (probe receivers). */
export function latencyOverTimeSvg(r: Report): string {
  return lineChart('latency over time', 'second of the measured window (by send time)', 'latency ms', [
    { name: 'p50', color: '#2a7ab0', points: r.timeline.map((t) => [t.second, t.p50_ms]) },
    { name: 'p99', color: '#d1495b', points: r.timeline.map((t) => [t.second, t.p99_ms]) },
  ], false);
}

export function histogramSvg(r: Report): string {
  return logHistogramChart('latency histogram', 'latency ms (log scale)', 'messages', r.histogram, '#66a182');
}

export function stalenessSvg(r: Report): string {
  return linearHistogramChart('staleness histogram', 'staleness of a receiver\'s view of a sender, ms (0 = up to date)', 'samples', r.staleness_histogram ?? [], '#e4a03b');
}

function saturationTable(r: Report): string {
  if (!r.saturation) return '';
  const rows = r.saturation.steps.map((s) => `<tr><td>${s.hz}</td><td>${s.offered_per_sec}</td><td>${s.delivered_per_sec}</td><td>${s.delivered_ratio ?? '-'}</td><td>${s.p99_ms ?? '-'}</td><td>${s.server_cpu_pct ?? '-'}</td><td>${s.ok ? 'yes' : 'no'}</td></tr>`);
  return `<h2>Saturation steps</h2><table><tr><th>Hz/client</th><th>offered/s</th><th>delivered/s</th><th>ratio</th><th>p99 ms</th><th>server CPU%</th><th>ok</th></tr>${rows.join('')}</table>`;
}

function thresholdTable(r: Report): string {
  if (r.thresholds.length === 0) return '';
  const rows = r.thresholds.map((t) => `<tr class="${t.ok ? 'ok' : 'bad'}"><td>${escapeHtml(t.expr)}</td><td>${t.value ?? 'none'}</td><td>${t.ok ? 'passed' : 'FAILED'}</td></tr>`);
  return `<h2>Thresholds</h2><table><tr><th>threshold</th><th>measured</th><th>verdict</th></tr>${rows.join('')}</table>`;
}

export function renderHtml(r: Report): string {
  const latest = r.staleness_histogram !== null;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Roomcast load test ${escapeHtml(r.started_at)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:60em;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto;white-space:pre-wrap}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}.warn{color:#a40}.bad td{color:#b00;font-weight:bold}
details summary{cursor:pointer;font-weight:bold}</style></head>
<body><h1>Roomcast load test</h1>
<p>${escapeHtml(r.started_at)} · Node ${escapeHtml(r.node)} · ${escapeHtml(r.url)}</p>
${r.warnings.map((w) => `<p class="warn">Warning: ${escapeHtml(w)}</p>`).join('\n')}
<h2>Summary</h2><pre>${escapeHtml(summaryTable(r))}</pre>
${thresholdTable(r)}
<h2>Throughput over time</h2>${throughputSvg(r)}
<h2>Latency over time (probe receivers)</h2>${latencyOverTimeSvg(r)}
<h2>Latency histogram</h2>${histogramSvg(r)}
${latest ? `<h2>Staleness of the receivers' view (class latest)</h2>${stalenessSvg(r)}` : ''}
${saturationTable(r)}
<details><summary>All figures (JSON, as written by --json)</summary><pre>${escapeHtml(JSON.stringify(r, null, 2))}</pre></details>
</body></html>
`;
}
