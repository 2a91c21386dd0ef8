// Knee summaries (issue 16 §2): where each server's stepping stopped, the knee ratio, CPU per
// delivered below both knees, and the staleness at half of the latest saturation point.
import type { Report } from '@roomcast/loadtest';
import { describe, expect, it } from 'vitest';
import { kneeGoals, kneeMarkdown, kneeSummary, stepVerdict } from '../src/knee.js';
import type { RunResult } from '../src/measure.js';
import { kneeScenario, scaleStepsScenario } from '../src/scenarios.js';

function step(label: string, rooms: number, deliv: number, o: { stale?: number; p99?: number; ratio?: number; cpu?: number; lag?: number; ok: boolean; scenario?: string }): RunResult {
  const report = {
    clients: rooms * 10, sent_per_sec: rooms * 300, delivered_ratio: o.ratio ?? 1, lag_skipped: o.lag ?? 0, loadgen_elu_max: 0.5,
    latency_ms: o.p99 === undefined ? null : { p99: o.p99 }, staleness_ms: o.stale === undefined ? null : { p99: o.stale },
  } as unknown as Report;
  return {
    scenario: o.scenario ?? 'knee-10', label, round: 0, cpu_us_per_delivered: o.cpu ?? 1, wire_bytes_per_delivered: 10, p99_ms: o.p99 ?? null,
    delivered_per_sec: deliv, delivered_ratio: o.ratio ?? 1, server_cpu_pct: 50, loadgen_cpu_pct: 40, loadgen_bottleneck: false,
    rss_mb: 50, rss_per_conn_kb: null, syscalls_per_delivered: null, saturation_rate: null, errors: {}, report,
    staleness_p99_ms: o.stale ?? null, step_rooms: rooms, step_ok: o.ok,
  };
}

describe('knee scenarios', () => {
  const s = kneeScenario(10, 30, [50, 100, 200, 400], 3);

  it('judges steps by the class criterion', () => {
    expect(stepVerdict('latest', step('roomcast', 50, 1, { stale: 40, ok: true }))).toEqual({ ok: true, why: '' });
    expect(stepVerdict('latest', step('roomcast', 50, 1, { stale: 140, ok: false })).why).toBe('staleness p99 140 ms');
    expect(stepVerdict('reliable', step('uws', 50, 1, { p99: 20, ratio: 0.98, ok: false })).why).toBe('delivered 0.98, p99 20 ms');
    expect(stepVerdict('reliable', step('uws', 50, 1, { p99: 20, ratio: 1, lag: 3, ok: false })).why).toBe('load generator behind its send schedule');
  });

  it('takes the knee at the last good step and compares CPU below both knees', () => {
    const results = [
      step('roomcast', 50, 100_000, { stale: 35, cpu: 1, ok: true }), step('roomcast', 100, 200_000, { stale: 36, cpu: 0.8, ok: true }),
      step('roomcast', 200, 400_000, { stale: 40, cpu: 0.7, ok: true }), step('roomcast', 400, 500_000, { stale: 300, ok: false }),
      step('uws', 50, 120_000, { p99: 5, cpu: 2, ok: true }), step('uws', 100, 150_000, { p99: 900, ratio: 0.7, ok: false }),
    ];
    const k = kneeSummary(s, results);
    expect(k.labels.map((l) => [l.label, l.knee, l.kneeRooms, l.beyond])).toEqual([['roomcast', 400_000, 200, false], ['uws', 120_000, 50, false]]);
    const goals = Object.fromEntries(kneeGoals([k]).map((g) => [g.id, g]));
    expect(goals['P3-knee-10']!.verdict).toBe('met'); // 400k / 120k = 3.33x
    expect(goals['P3-knee-10']!.measured).toContain('3.33x');
    expect(goals['P3-knee-10']!.measured).toContain('(50 rooms): 0.5x (1 vs 2 µs)');
    // Half of the 200-room knee: the 100-room step, 36 ms ≤ 38.3 ms.
    expect(goals['P4b-half']!.verdict).toBe('met');
    expect(goals['P4b-half']!.measured).toMatch(/^36 ms at 100 rooms/);
    expect(kneeMarkdown(k).filter((l) => l.startsWith('| roomcast |'))).toHaveLength(4);
  });

  it('bounds the ratio from below when bare uWS fails its first step or the load generator stops Roomcast', () => {
    const uwsFails = step('uws', 50, 150_000, { p99: 2400, ratio: 0.88, ok: false });
    const stoppedAt = (deliv: number) => [
      step('roomcast', 50, deliv, { stale: 40, ok: true }), step('roomcast', 100, deliv / 2, { stale: 1500, lag: 10, ok: false }),
    ];
    const met = kneeGoals([kneeSummary(s, [...stoppedAt(528_000), uwsFails])])[0]!;
    expect(met.measured).toMatch(/^≥ 3\.52x/);
    expect(met.verdict).toBe('met');
    // Below the target, a lower bound decides nothing.
    expect(kneeGoals([kneeSummary(s, [...stoppedAt(300_000), uwsFails])])[0]!.verdict).toBe('not measured');
    // Bare uWS stopped by the load generator bounds nothing.
    const uwsLoadgen = step('uws', 50, 150_000, { p99: 2400, lag: 5, ok: false });
    expect(kneeGoals([kneeSummary(s, [...stoppedAt(528_000), uwsLoadgen])])[0]!.measured).toMatch(/^n\/a/);
  });

  it('says when every step passed (a lower bound) and when a server has no steps', () => {
    const k = kneeSummary(s, [step('roomcast', 50, 100_000, { stale: 35, ok: true })]);
    expect(k.labels[0]!.beyond).toBe(true);
    expect(kneeGoals([k])[0]!.verdict).toBe('not measured');
  });

  it('scale-steps reports the clients each server held within the budget, not a knee ratio', () => {
    const c = scaleStepsScenario([200, 400, 600], 4);
    expect(c.kind).toBe('knee');
    expect(c.options.rooms).toBe(1000); // stepped by runKnee
    const at = (label: string, rooms: number, o: Parameters<typeof step>[3]) => step(label, rooms, rooms * 100, { ...o, scenario: 'scale-steps' });
    const results = [
      at('roomcast', 200, { stale: 40, ok: true }), at('roomcast', 400, { stale: 60, ok: true }), at('roomcast', 600, { stale: 130, ok: false }),
      at('uws', 200, { p99: 30, ok: true }), at('uws', 400, { p99: 300, ok: false }),
      at('socketio', 200, { p99: 900, ratio: 0.5, ok: false }),
    ];
    const goals = kneeGoals([kneeSummary(c, results)]);
    expect(goals.map((g) => g.id)).toEqual(['P8-steps']);
    expect(goals[0]!.verdict).toBe('reported');
    expect(goals[0]!.measured).toBe('roomcast: 4,000 clients (staleness p99 60 ms); next step: staleness p99 130 ms; '
      + 'uws: 2,000 clients (p99 30 ms, delivered 1); next step: delivered 1, p99 300 ms; socketio: none of the steps (delivered 0.5, p99 900 ms)');
    // Every step passed: a lower bound.
    expect(kneeGoals([kneeSummary(c, [at('roomcast', 200, { stale: 40, ok: true })])])[0]!.measured).toBe('roomcast: ≥ 2,000 clients (staleness p99 40 ms)');
    expect(kneeGoals([kneeSummary(c, [])])[0]!.verdict).toBe('not measured');
  });
});
