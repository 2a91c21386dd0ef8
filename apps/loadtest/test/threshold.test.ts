import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseArgs, UsageError, validate } from '../src/args.js';
import type { Report } from '../src/report.js';
import { describeResult, evaluateThresholds, METRICS, parseThreshold, ThresholdSyntaxError } from '../src/threshold.js';

describe('threshold grammar', () => {
  it('parses METRIC OP NUMBER with every operator', () => {
    expect(parseThreshold('p99<100')).toEqual({ expr: 'p99<100', metric: 'p99', op: '<', limit: 100 });
    expect(parseThreshold('ratio>=0.99')).toEqual({ expr: 'ratio>=0.99', metric: 'ratio', op: '>=', limit: 0.99 });
    expect(parseThreshold(' errors <= 0 ')).toEqual({ expr: 'errors<=0', metric: 'errors', op: '<=', limit: 0 });
    expect(parseThreshold('staleness_p99>5')).toMatchObject({ metric: 'staleness_p99', op: '>', limit: 5 });
    expect(parseThreshold('BYTES<20')).toMatchObject({ metric: 'bytes', op: '<', limit: 20 });
  });

  it("accepts k6's p(N) spelling", () => {
    expect(parseThreshold('p(95)<200')).toEqual({ expr: 'p95<200', metric: 'p95', op: '<', limit: 200 });
    expect(parseThreshold('p(99.9)<500').metric).toBe('p999');
  });

  it('refuses malformed expressions and unknown metrics, saying why', () => {
    expect(() => parseThreshold('p99')).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold('p99=100')).toThrow(/METRIC OP NUMBER/);
    expect(() => parseThreshold('p99<fast')).toThrow(/METRIC OP NUMBER/);
    expect(() => parseThreshold('p99<<1')).toThrow(/METRIC OP NUMBER/);
    expect(() => parseThreshold('p97<100')).toThrow(/unknown metric "p97".*known: p50, p90, p95, p99/);
    expect(() => parseThreshold('latency<1')).toThrow(/unknown metric "latency"/);
  });

  it('is a repeatable CLI option whose errors name --threshold', () => {
    const o = parseArgs(['--threshold', 'p99<100', '--threshold', 'ratio>0.99']);
    expect(o.thresholds.map((t) => t.expr)).toEqual(['p99<100', 'ratio>0.99']);
    expect(() => parseArgs(['--threshold', 'p99=1'])).toThrow(/--threshold.*METRIC OP NUMBER/);
    expect(parseArgs([]).thresholds).toEqual([]);
  });

  it('refuses thresholds on figures the run cannot produce', () => {
    expect(() => parseArgs(['--threshold', 'staleness_p99<50'])).toThrow(/--class latest/);
    expect(parseArgs(['--class', 'latest', '--threshold', 'staleness_p99<50']).thresholds).toHaveLength(1);
    expect(() => validate({ ...DEFAULTS, cls: 'latest', cursor: true, cursor3: true, thresholds: [parseThreshold('p99<1')] })).toThrow(UsageError);
  });
});

describe('threshold evaluation', () => {
  const report = {
    latency_ms: { p50: 2, p90: 4, p95: 5, p99: 9.5, p999: 20, max: 31 }, staleness_ms: null, delivered_ratio: 0.995,
    errors: { rate_limited: 3, closed_4429: 1 }, connect_failed: 2, wire_bytes_per_delivered: 16.5, delivered_per_sec: 1200,
  } as unknown as Report;
  const verdicts = (...exprs: string[]) => evaluateThresholds(exprs.map(parseThreshold), report).map((t) => [t.expr, t.value, t.ok]);

  it('compares each metric with its limit, boundaries included', () => {
    expect(verdicts('p99<9.5', 'p99<=9.5', 'p99>9.5', 'p99>=9.5')).toEqual([
      ['p99<9.5', 9.5, false], ['p99<=9.5', 9.5, true], ['p99>9.5', 9.5, false], ['p99>=9.5', 9.5, true],
    ]);
    expect(verdicts('ratio>0.99', 'errors<4', 'errors<5', 'connect_failed<=0', 'bytes<17', 'p95<5', 'max<=31', 'delivered_per_sec>1000')).toEqual([
      ['ratio>0.99', 0.995, true], ['errors<4', 4, false], ['errors<5', 4, true], ['connect_failed<=0', 2, false],
      ['bytes<17', 16.5, true], ['p95<5', 5, false], ['max<=31', 31, true], ['delivered_per_sec>1000', 1200, true],
    ]);
  });

  it('fails a threshold whose metric the run did not produce', () => {
    const [t] = evaluateThresholds([parseThreshold('staleness_p99<1000')], report);
    expect(t).toMatchObject({ value: null, ok: false });
    expect(describeResult(t!)).toBe('FAILED staleness_p99<1000 (no value: the run produced none)');
    expect(describeResult(evaluateThresholds([parseThreshold('p99<100')], report)[0]!)).toBe('ok     p99<100 (p99 = 9.5 ms)');
    const noProbes = { ...report, latency_ms: null } as Report;
    expect(describeResult(evaluateThresholds([parseThreshold('p99<100')], noProbes)[0]!))
      .toBe('FAILED p99<100 (no value: no latency samples; with few clients, raise --probe-ratio)');
  });

  it('documents every metric', () => {
    for (const [name, m] of Object.entries(METRICS)) expect(m.doc.length, name).toBeGreaterThan(5);
  });
});
