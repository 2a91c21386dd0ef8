// The SVG charts of the HTML report: round tick labels, integer count axes, gaps for missing values.
import { describe, expect, it } from 'vitest';
import { lineChart, linearHistogramChart, logHistogramChart } from '../src/chart.js';

/** Text of the y-axis tick labels (right-aligned at the axis), bottom to top. */
function yLabels(svg: string): string[] {
  return [...svg.matchAll(/<text x="58" y="[\d.]+" text-anchor="end" font-size="11">([^<]*)<\/text>/g)].map((m) => m[1]!);
}
/** Text of the x-axis tick labels, left to right. */
function xLabels(svg: string): string[] {
  return [...svg.matchAll(/<text x="[\d.]+" y="236" text-anchor="middle" font-size="11">([^<]*)<\/text>/g)].map((m) => m[1]!);
}

describe('report charts', () => {
  it('line chart: nice y ticks over the data (not 3.92 / 7.85 / 11.8), integer seconds on x', () => {
    const svg = lineChart('latency', 's', 'ms', [{ name: 'p99', color: '#000', points: [[0, 3.1], [1, 11.8], [2, 7.2]] }], false);
    expect(yLabels(svg)).toEqual(['0', '5', '10', '15']);
    expect(xLabels(svg)).toEqual(['0', '1', '2']);
  });

  it('a second without a value is a gap, not a zero', () => {
    const svg = lineChart('latency', 's', 'ms', [{ name: 'p99', color: '#000', points: [[0, 2], [1, null], [2, 3], [3, 4]] }], false);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(1);
  });

  it('count axes are integers: 3 samples give 0, 1, 2, 3 and never "0.00"', () => {
    const svg = logHistogramChart('h', 'ms', 'messages', [{ up_to_ms: 1, count: 1 }, { up_to_ms: 2, count: 3 }, { up_to_ms: 4, count: 0 }], '#000');
    expect(yLabels(svg)).toEqual(['0', '1', '2', '3']);
    expect(svg).not.toMatch(/>0\.00</);
    expect(xLabels(svg)).toEqual(['0.5', '1', '2']);
  });

  it('large counts get thousands separators', () => {
    const svg = lineChart('t', 's', 'msg/s', [{ name: 'sent', color: '#000', points: [[0, 29_000], [1, 30_008]] }], true);
    expect(yLabels(svg)).toEqual(['0', '10,000', '20,000', '30,000', '40,000']);
  });

  it('staleness histogram: linear axis from 0 with nice ticks', () => {
    const buckets = Array.from({ length: 18 }, (_, i) => ({ up_to_ms: (i + 1) * 2, count: i === 0 ? 900 : 40 }));
    const svg = linearHistogramChart('staleness', 'ms', 'samples', buckets, '#000');
    expect(xLabels(svg)).toEqual(['0', '5', '10', '15', '20', '25', '30', '35', '40']);
    expect(yLabels(svg)).toEqual(['0', '200', '400', '600', '800', '1,000']);
    expect(svg.match(/<rect/g)).toHaveLength(18);
  });

  it('says so when there is nothing to draw', () => {
    expect(logHistogramChart('latency histogram', 'ms', 'n', [], '#000')).toBe('<p>No samples for latency histogram.</p>');
    expect(lineChart('latency', 's', 'ms', [{ name: 'p99', color: '#000', points: [[0, null]] }], false)).toBe('<p>No data for latency.</p>');
  });
});
