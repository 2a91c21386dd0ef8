import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '@roomcast/loadtest';
import type { RunResult } from '../src/measure.js';
import { renderMarkdown } from '../src/markdown.js';
import { parsePerfCsv } from '../src/perf.js';
import { parseBenchArgs, roundOrder } from '../src/run.js';
import { scenarios, type Label, type Scenario } from '../src/scenarios.js';
import { parseListenLine, parsePortLine, RELAY_NODE_FLAGS, serverCommand } from '../src/servers.js';
import { evaluateGoals, summarise } from '../src/summary.js';

const scenario: Scenario = { name: 'cursor-small', description: 'test', kind: 'traffic', rounds: 3, labels: ['roomcast', 'roomcast-aa', 'uws', 'socketio'], options: {} };

function run(label: Label, round: number, cpu: number, p99: number, bytes: number): RunResult {
  return {
    scenario: 'cursor-small', label, round, cpu_us_per_delivered: cpu, wire_bytes_per_delivered: bytes, p99_ms: p99,
    delivered_per_sec: 1000, delivered_ratio: 1, server_cpu_pct: 10, loadgen_cpu_pct: 20, loadgen_bottleneck: false,
    rss_mb: 50, rss_per_conn_kb: null, syscalls_per_delivered: null, saturation_rate: null, errors: {}, report: {} as Report,
  };
}

describe('bench summary', () => {
  const results = [0, 1, 2].flatMap((r) => [
    run('roomcast', r, 2 + r, 2, 16), run('roomcast-aa', r, 2 + r, 2, 16),
    run('uws', r, [1, 2, 4][r]!, 1, 16), run('socketio', r, 40, 4, 60),
  ]);
  const s = summarise(scenario, results);

  it('takes medians per server and pairs ratios by round', () => {
    expect(s.medians.roomcast!.cpu_us_per_delivered).toBe(3);
    expect(s.medians.uws!.cpu_us_per_delivered).toBe(2);
    // rounds: 2/1, 3/2, 4/4 -> median 1.5, min 1, max 2
    expect(s.ratios.uws!.cpu_us_per_delivered).toEqual({ median: 1.5, min: 1, max: 2, n: 3 });
    expect(s.ratios['roomcast-aa']!.cpu_us_per_delivered).toEqual({ median: 1, min: 1, max: 1, n: 3 });
    expect(s.ratios.socketio!.wire_bytes_per_delivered!.median).toBeCloseTo(16 / 60);
  });

  it('evaluates the goals it can measure and says which it cannot', () => {
    const goals = evaluateGoals([s]);
    const byId = Object.fromEntries(goals.map((g) => [g.id, g]));
    expect(byId.P1a!.verdict).toBe('not met'); // 1.5x > 1.25x
    expect(byId.P2a!.verdict).toBe('met'); // 3/40 < 1/8
    expect(byId.P4!.verdict).toBe('not met'); // p99 2x
    expect(byId['P6a-pass']!.verdict).toBe('not met'); // 16 bytes > 8
    expect(byId.P5a!.verdict).toBe('not measured');
    for (const id of ['P3a', 'P3b', 'P4b', 'P6a', 'P6b', 'P7', 'P8']) expect(byId[id]!.verdict, id).toBe('not measured');
  });

  it('renders markdown tables with the command and machine line', () => {
    const md = renderMarkdown({ command: 'pnpm bench --quick', quick: true, machine: '2 x CPU', startedAt: 'now', durationSec: 1, perfSyscalls: false, perfInstructions: false }, [s], evaluateGoals([s]));
    expect(md).toContain('pnpm bench --quick');
    expect(md).toContain('Machine: 2 x CPU');
    expect(md).toMatch(/\| roomcast \| /);
    expect(md).toContain('| P1a |');
  });
});

describe('bench plumbing', () => {
  it('rotates the server order every round (interleaving)', () => {
    expect(roundOrder(['a', 'b', 'c'] as unknown as Label[], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'] as unknown as Label[], 1)).toEqual(['b', 'c', 'a']);
    expect(roundOrder(['a', 'b', 'c'] as unknown as Label[], 3)).toEqual(['a', 'b', 'c']);
  });

  it('parses bench arguments (a leading -- is ignored)', () => {
    expect(parseBenchArgs(['--', '--quick'])).toMatchObject({ quick: true });
    expect(parseBenchArgs(['--quick']).md).toMatch(/docs\/benchmarks\.quick\.md$/);
    expect(parseBenchArgs([]).json).toMatch(/docs\/benchmarks\.json$/);
    expect(parseBenchArgs(['--rounds', '7', '--only', 'idle,churn'])).toMatchObject({ rounds: 7, only: ['idle', 'churn'] });
    expect(() => parseBenchArgs(['--nope'])).toThrow(/unknown option/);
  });

  it('every scenario has at least 5 interleaved rounds with an A/A pair for the headline comparison', () => {
    for (const quick of [true, false]) {
      const cs = scenarios(quick).find((s) => s.name === 'cursor-small')!;
      expect(cs.rounds).toBeGreaterThanOrEqual(5);
      expect(cs.labels).toContain('roomcast-aa');
    }
    expect(scenarios(false).map((s) => s.name)).toEqual(['cursor-small', 'cursor-big-room', 'idle', 'churn', 'slow-consumer', 'saturation', 'cursor-throttled', 'tcp-vs-ws', 'tcp-vs-ws-idle',
      'scale-10k', 'scale-steps', 'knee-10', 'knee-100', 'latest-cost', 'p4-pinned']);
    expect(scenarios(true).map((s) => s.name)).not.toContain('cursor-throttled');
    expect(scenarios(true, ['knee-10']).map((s) => s.name)).toEqual(['cursor-small', 'cursor-big-room', 'idle', 'knee-10']);
    expect(scenarios(true).map((s) => s.name)).not.toContain('tcp-vs-ws');
    expect(scenarios(true, ['cursor-throttled']).map((s) => s.name)).toContain('cursor-throttled');
    expect(scenarios(true, ['tcp-vs-ws', 'tcp-vs-ws-idle']).map((s) => s.name)).toEqual(['cursor-small', 'cursor-big-room', 'idle', 'tcp-vs-ws', 'tcp-vs-ws-idle']);
  });

  it('reads server ports from their first stdout line', () => {
    expect(parsePortLine('{"listening":4321}')).toBe(4321);
    expect(parsePortLine('{"level":30,"port":5555,"msg":"relay listening on http://127.0.0.1:5555"}')).toBe(5555);
    expect(parsePortLine('{"level":30,"port":5555,"msg":"other"}')).toBeUndefined();
    expect(parseListenLine('{"level":30,"port":5555,"tcpPort":5556,"msg":"relay listening on http://127.0.0.1:5555"}')).toEqual({ port: 5555, tcpPort: 5556 });
    expect(parseListenLine('{"listening":4321}')).toEqual({ port: 4321, tcpPort: undefined });
    expect(parsePortLine('garbage')).toBeUndefined();
  });

  it('runs the relay with its limits raised and every baseline from its own script', () => {
    expect(serverCommand('roomcast').env).toMatchObject({ HOST: '127.0.0.1', PORT: '0', RELAY_MAX_MESSAGES_PER_SEC: '1000000' });
    expect(serverCommand('uws').script).toMatch(/servers[\\/]uws\.js$/);
  });

  it('runs the relay with the Node flags it ships with, and the baselines with Node\'s defaults', () => {
    expect(serverCommand('roomcast').nodeFlags).toEqual(RELAY_NODE_FLAGS);
    expect(serverCommand('uws').nodeFlags).toEqual([]);
    expect(serverCommand('socketio').nodeFlags).toEqual([]);
    // Every way the repository starts the relay uses the same flags.
    const root = new URL('../../', import.meta.url);
    const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
    const flags = RELAY_NODE_FLAGS.join(' ');
    expect(JSON.parse(read('package.json')).scripts.start).toContain(`exec node ${flags} apps/relay/dist/main.js`);
    expect(JSON.parse(read('apps/relay/package.json')).scripts.start).toBe(`node ${flags} dist/main.js`);
    expect(read('Dockerfile')).toContain(`CMD ["node", ${RELAY_NODE_FLAGS.map((f) => JSON.stringify(f)).join(', ')}, "/opt/roomcast/relay/dist/main.js"]`);
    expect(read('deploy/roomcast-relay.service')).toContain(`ExecStart=/usr/bin/node ${flags} /opt/roomcast/relay/dist/main.js`);
  });

  it('parses perf stat CSV output', () => {
    const csv = '1234,,syscalls:sys_enter_sendto,1000,100.00,,\n56,,syscalls:sys_enter_write,1000,100.00,,\n<not counted>,,syscalls:sys_enter_writev,0,0,,\n';
    expect(parsePerfCsv(csv)).toEqual({ sendto: 1234, write: 56 });
  });
});
