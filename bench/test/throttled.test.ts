// The cursor-throttled scenario's plumbing: variants, perf rates, paired ratios and issue 3's goals
// (synthetic figures; no measurement and no speed assertion).
import { describe, expect, it } from 'vitest';
import type { Report } from '@roomcast/loadtest';
import { syscallsPer, variantOf, type RunResult } from '../src/measure.js';
import { parsePerfIntervals } from '../src/perf.js';
import { THROTTLED_TICK_HZ, throttledScenario, type Label } from '../src/scenarios.js';
import { serverCommand } from '../src/servers.js';
import { evaluateGoals, pairedRatio, summarise, throttledGoals } from '../src/summary.js';

const scenario = throttledScenario(10, 2, 3);

function run(label: Label, round: number, f: Partial<RunResult>): RunResult {
  return {
    scenario: 'cursor-throttled', label, round, cpu_us_per_delivered: null, wire_bytes_per_delivered: null, p99_ms: null,
    delivered_per_sec: 1000, delivered_ratio: 0.5, server_cpu_pct: 10, loadgen_cpu_pct: 20, loadgen_bottleneck: false,
    rss_mb: 50, rss_per_conn_kb: null, syscalls_per_delivered: null, saturation_rate: null, errors: {}, report: {} as Report, ...f,
  };
}

describe('cursor-throttled scenario', () => {
  it('runs the relay with the latest class at a 30 Hz tick against reliable pass-through baselines', () => {
    expect(scenario.options).toMatchObject({ cls: 'latest', hz: 60, perRoom: 10, cursor: true });
    expect(variantOf(scenario, 'roomcast')).toMatchObject({ server: 'roomcast', env: { RELAY_TICK_HZ: '30' } });
    expect(variantOf(scenario, 'roomcast-120hz').options).toEqual({ hz: 120 });
    expect(variantOf(scenario, 'roomcast-cursor3').options).toEqual({ cursor3: true });
    expect(variantOf(scenario, 'uws')).toEqual({ server: 'uws', options: { cls: 'reliable' } });
    expect(variantOf(scenario, 'socketio-cursor3').options).toEqual({ cls: 'reliable', cursor3: true });
    expect(() => variantOf({ ...scenario, variants: {} }, 'nope')).toThrow(/neither/);
    expect(serverCommand('roomcast').env.TCP_PORT).toBe('off');
  });

  it('turns perf interval output into counts and a counting time', () => {
    const csv = [
      '     0.100144970,120,,syscalls:sys_enter_sendto,0,100.00,,',
      '     0.100144970,<not counted>,,syscalls:sys_enter_write,0,100.00,,',
      '     0.200393864,80,,syscalls:sys_enter_sendto,0,100.00,,',
      '     0.250000000,5,,syscalls:sys_enter_write,0,100.00,,',
    ].join('\n');
    expect(parsePerfIntervals(csv)).toEqual({ counts: { sendto: 200, write: 5 }, seconds: 0.25 });
    expect(parsePerfIntervals('1234,,syscalls:sys_enter_sendto,1000,100.00,,\n')).toEqual({ counts: { sendto: 1234 }, seconds: null });
  });

  it('forms syscalls per event as a ratio of rates when perf reports its counting time', () => {
    // 1,100 syscalls over perf's 2.2 s = 500/s; 1,000 frames over the 2 s window = 500/s.
    expect(syscallsPer({ total: 1100, seconds: 2.2 }, 1000, 2)).toBeCloseTo(1);
    expect(syscallsPer({ total: 1100, seconds: null }, 1000, 2)).toBeCloseTo(1.1);
    expect(syscallsPer(undefined, 1000, 2)).toBeNull();
    expect(syscallsPer({ total: 5, seconds: 1 }, 0, 2)).toBeNull();
  });

  const results = [0, 1, 2].flatMap((r) => [
    run('roomcast', r, { cpu_us_per_delivered: 1, wire_bytes_per_delivered: 12.9, staleness_p99_ms: 30 + r, syscalls_per_frame_rx: 0.9, wire_bytes_per_receiver_per_sec: 3500 }),
    run('roomcast-aa', r, { cpu_us_per_delivered: 1.1 }),
    run('roomcast-cursor3', r, { wire_bytes_per_delivered: 7.33 }),
    run('roomcast-120hz', r, { wire_bytes_per_receiver_per_sec: [3500, 3600, 3400][r]! }),
    run('roomcast-30hz', r, { wire_bytes_per_receiver_per_sec: 3400 }),
    run('uws', r, { cpu_us_per_delivered: 4, wire_bytes_per_delivered: 16, syscalls_per_frame_rx: 0.6 }),
    run('socketio', r, { wire_bytes_per_delivered: 42 }),
    run('socketio-cursor3', r, { wire_bytes_per_delivered: 28 }),
  ]);
  const s = summarise(scenario, results);

  it('pairs any two labels by round', () => {
    const bw = (g: (m: 'wire_bytes_per_receiver_per_sec') => number | null) => g('wire_bytes_per_receiver_per_sec');
    const r = pairedRatio(s, 'roomcast-120hz', 'roomcast-30hz', bw, bw)!;
    expect(r.n).toBe(3);
    expect(r.median).toBeCloseTo(3500 / 3400);
    expect(r.max).toBeCloseTo(3600 / 3400);
    expect(pairedRatio(undefined, 'a', 'b', bw, bw)).toBeNull();
  });

  it('evaluates issue 3\'s targets from the scenario', () => {
    const byId = Object.fromEntries(throttledGoals(s).map((g) => [g.id, g]));
    expect(byId.P6a!.verdict).toBe('met'); // 7.33 ≤ 8
    expect(byId.P6b!.verdict).toBe('not met'); // 28 / 7.33 = 3.8x < 6x
    expect(byId.P6b!.measured).toMatch(/^3\.82x/);
    expect(byId.P7!.verdict).toBe('met'); // 1.03x
    expect(byId.P3b!.verdict).toBe('met'); // 0.9 per recipient per tick
    expect(byId.P3a!.verdict).toBe('met'); // 1 / 4 CPU-µs
    expect(byId.P4b!.verdict).toBe('met'); // 31 ms ≤ 38.3 ms
    expect(byId.P4b!.target).toContain(String(Math.round((1000 / THROTTLED_TICK_HZ + 5) * 10) / 10));
    expect(evaluateGoals([s]).map((g) => g.id)).toEqual(expect.arrayContaining(['P3a', 'P3b', 'P4b', 'P6a', 'P6b', 'P7']));
  });
});
