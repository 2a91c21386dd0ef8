// Issue 17's tcp-vs-ws figures: labels and variants of the scenarios, the knee rule, the goals.
import { describe, expect, it } from 'vitest';
import { variantOf } from '../src/measure.js';
import { tcpVsWsIdleScenario, tcpVsWsScenario } from '../src/scenarios.js';
import type { ScenarioSummary } from '../src/summary.js';
import { kneeRate, kneeRatio, tcpVsWsGoals } from '../src/tcp-vs-ws.js';

/** A summary with per-round figures: label → [delivered/s, p99 ms, delivered ratio, CPU-µs] per round. */
function summary(rows: Record<string, [number, number, number, number][]>): ScenarioSummary {
  const rounds = Object.values(rows)[0]!.length;
  const perRound: ScenarioSummary['perRound'] = {};
  for (const [label, rs] of Object.entries(rows)) {
    perRound[label] = {
      delivered_per_sec: rs.map((r) => r[0]), p99_ms: rs.map((r) => r[1]), delivered_ratio: rs.map((r) => r[2]),
      cpu_us_per_delivered: rs.map((r) => r[3]),
    };
  }
  return { scenario: 'tcp-vs-ws', description: '', labels: Object.keys(rows), rounds, medians: {}, ratios: {}, loadgenBottleneckRuns: 0, errors: {}, perRound };
}

describe('tcp-vs-ws scenarios', () => {
  it('runs one relay with its TCP listener on for both transports, one label per transport and rate', () => {
    const s = tcpVsWsScenario(50, 4, 5);
    expect(s.labels).toEqual(['ws-5hz', 'tcp-5hz', 'ws-10hz', 'tcp-10hz', 'ws-20hz', 'tcp-20hz', 'ws-30hz', 'tcp-30hz', 'ws-10hz-aa', 'tcp-10hz-aa']);
    expect(variantOf(s, 'tcp-10hz-aa')).toEqual(variantOf(s, 'tcp-10hz'));
    expect(variantOf(s, 'tcp-20hz')).toEqual({ server: 'roomcast', transport: 'tcp', tcpListener: true, options: { hz: 20 } });
    expect(variantOf(s, 'ws-5hz')).toEqual({ server: 'roomcast', transport: 'ws', tcpListener: true, options: { hz: 5 } });
    expect(s.options).toMatchObject({ rooms: 50, perRoom: 10, cls: 'reliable', payload: 16, cursor: false });
    expect(tcpVsWsIdleScenario(1000, 3).variants?.['tcp-idle']).toEqual({ server: 'roomcast', transport: 'tcp', tcpListener: true });
  });

  it('reads the knee like saturation steps: the last step before the first failure', () => {
    const s = summary({
      'ws-5hz': [[22500, 10, 1, 6]], 'ws-10hz': [[45000, 20, 1, 4]], 'ws-20hz': [[90000, 150, 1, 3]], 'ws-30hz': [[135000, 20, 1, 2]],
      'tcp-5hz': [[22500, 10, 1, 8]], 'tcp-10hz': [[44000, 50, 0.98, 7]], 'tcp-20hz': [[90000, 20, 1, 3]], 'tcp-30hz': [[135000, 20, 1, 2]],
    });
    // WebSocket fails at 20 Hz (p99): its passing 30 Hz step after that does not count.
    expect(kneeRate(s, 'ws', 0)).toBe(45000);
    // TCP fails at 10 Hz (98% delivered).
    expect(kneeRate(s, 'tcp', 0)).toBe(22500);
    expect(kneeRatio(s).ratio).toEqual({ median: 0.5, min: 0.5, max: 0.5, n: 1 });
    const goals = tcpVsWsGoals(s, undefined);
    expect(goals.map((g) => [g.id, g.verdict])).toEqual([['T1', 'not met'], ['T2', 'not met'], ['T3', 'not measured']]);
    expect(goals[0]!.measured).toContain('5 Hz 1.33x (1.33-1.33, n=1); 10 Hz 1.75x');
  });
});
