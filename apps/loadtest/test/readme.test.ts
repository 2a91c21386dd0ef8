// README.md must match the load tester: the options table against the commander options (names,
// whether each takes a value, defaults), and the "JSON fields" section against REQUIRED_FIELDS and
// the JSON of real runs against an in-process relay (every key documented, every documented key
// present, nested keys, and the `errors` codes a partial failure really produces).
import { readFileSync } from 'node:fs';
import { ErrorCodes } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/ports.mjs';
import { buildCommand, DEFAULTS, type Options } from '../src/args.js';
import { REQUIRED_FIELDS } from '../src/report.js';
import { runLoadTest } from '../src/run.js';
import { parseThreshold } from '../src/threshold.js';
import { useLocalRelay } from './relay.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const relay = useLocalRelay();

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README section ${title}`).toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + title.length + 5);
  return rest.slice(0, rest.search(/\n## /));
}

/** The rows (`| a | b | c |` → ['a', 'b', 'c']) of the table that starts after `after` in `text`. */
function table(text: string, after: string): string[][] {
  const from = text.indexOf(after);
  expect(from, `"${after}" in README.md`).toBeGreaterThanOrEqual(0);
  const lines = text.slice(from + after.length).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start + 2, end < 0 ? undefined : end).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** Top-level backticked names of a prose list, ignoring what is inside parentheses. */
function topLevelNames(text: string): string[] {
  let depth = 0;
  let flat = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (depth === 0) flat += ch;
    if (ch === ')') depth--;
  }
  return ticked(flat);
}

/** Every key of a JSON value's objects (the report as `--json` writes it). */
const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

const small = (o: Partial<Options> = {}): Options => ({
  ...DEFAULTS, url: relay.wsUrl, rooms: 1, perRoom: 4, hz: 20, cursor: true, seconds: 1, warmup: 0.2, workers: 0,
  probeRatio: 1, drainMs: 500, quiet: true, ...o,
});

describe('README.md matches the load tester', () => {
  it('the options table lists exactly the CLI options, whether each takes a value, and their defaults', () => {
    const rows = table(section('Options'), '');
    const documented = new Map<string, { takesValue: boolean; default: string }>();
    for (const [flags, defaults] of rows) {
      const names = ticked(flags!);
      const values = names.length > 1 ? defaults!.split(' / ') : [defaults!];
      expect(values, flags).toHaveLength(names.length);
      for (const [i, n] of names.entries()) {
        const [flag, arg] = n.split(' ');
        documented.set(flag!, { takesValue: arg !== undefined, default: values[i]!.replace(/`/g, '') });
      }
    }
    const options = buildCommand().options;
    expect([...documented.keys()].sort()).toEqual(options.map((o) => o.long!).sort());
    for (const o of options) {
      const doc = documented.get(o.long!)!;
      expect(doc.takesValue, `${o.long} takes a value`).toBe(o.required || o.optional);
      const real = o.defaultValue as unknown;
      const shown = real === false ? 'off' : real === undefined ? '' : String(real);
      expect(doc.default, `default of ${o.long}`).toBe(shown);
    }
  });

  it('the issue-6 table is exactly REQUIRED_FIELDS, in order', () => {
    const text = section('JSON fields');
    const fields = table(text, 'names and units are an interface').flatMap(([f]) => ticked(f!));
    expect(fields).toEqual([...REQUIRED_FIELDS]);
  });

  it('a real run writes exactly the documented top-level fields, and the documented nested keys', async () => {
    const text = section('JSON fields');
    const required = table(text, 'names and units are an interface').flatMap(([f]) => ticked(f!));
    const also = table(text, 'Also in every report').flatMap(([f]) => ticked(f!));
    const further = topLevelNames(/Further fields: ([\s\S]*?)\. With `--saturate`/.exec(text)![1]!);
    expect(also).toHaveLength(7);
    expect(further.length).toBeGreaterThan(25);
    const documented = [...required, ...also, ...further];
    expect(new Set(documented).size).toBe(documented.length); // none listed twice

    const r = json(await runLoadTest(small({ slowRatio: 0.25, churn: 2, thresholds: [parseThreshold('p99<60000')] })));
    expect(Object.keys(r).sort()).toEqual([...documented].sort());
    // The nested keys, as the README lists them.
    const nested = (name: string) => {
      const list = new RegExp(`\`${name}\`\\s*\\(([^)]*)\\)`).exec(text)![1]!;
      const braces = /\{([^}]*)\}/.exec(list); // `{a, b}` when given, else each `name`
      return braces ? braces[1]!.split(',').map((k) => k.trim()) : ticked(list);
    };
    const timeline = r.timeline as Record<string, unknown>[];
    expect(timeline.length).toBeGreaterThan(0);
    for (const point of timeline) expect(Object.keys(point)).toEqual(nested('timeline'));
    const histogram = r.histogram as Record<string, unknown>[];
    expect(histogram).toHaveLength(40); // "40 log-spaced buckets"
    expect(Object.keys(histogram[0]!)).toEqual(nested('histogram'));
    expect(Object.keys(r.slow as object)).toEqual(nested('slow'));
    expect(Object.keys(r.churn as object)).toEqual(nested('churn'));
    const thresholds = r.thresholds as Record<string, unknown>[];
    expect(thresholds).toHaveLength(1);
    expect(Object.keys(thresholds[0]!)).toEqual(nested('thresholds'));
    expect(Object.keys(r.latency_ms as object)).toEqual(ticked(table(text, 'names and units are an interface').find(([f]) => f === '`latency_ms`')![2]!)[0]!.replace(/[{}\s]/g, '').split(','));
  });

  it('with --saturate: the saturation object and each step carry the documented keys', async () => {
    const text = section('JSON fields');
    const doc = /`saturation` \(`\{([^}]*)\}`; each step: ([^)]*)\)/.exec(text)!;
    const r = json(await runLoadTest(small({ saturate: true, maxSteps: 1, seconds: 0.5, warmup: 0.1 })));
    const saturation = r.saturation as { steps: Record<string, unknown>[] } & Record<string, unknown>;
    expect(Object.keys(saturation)).toEqual(doc[1]!.replace('[]', '').split(', '));
    expect(saturation.steps).toHaveLength(1);
    expect(Object.keys(saturation.steps[0]!)).toEqual(ticked(doc[2]!));
  });

  it('errors: a partial failure counts each failure by a documented code', async () => {
    const row = table(section('JSON fields'), 'names and units are an interface').find(([f]) => f === '`errors`')!;
    const patterns = ticked(row[2]!).filter((c) => !['error', 'unsupported_class', 'rate_limited'].includes(c));
    expect(patterns).toEqual(['closed_<code>', 'connect_refused', 'connect_failed', 'http_<status>', 'join_timeout', 'churn_<code>']);
    const codes = new Set<string>(Object.keys(ErrorCodes));
    const documented = (key: string) => codes.has(key)
      || patterns.some((p) => new RegExp(`^${p.replace(/<\w+>/, '\\w+')}$`).test(key));
    // Round-robin over three URLs: the relay, a port nothing listens on, and a path the relay refuses.
    const refused = `ws://127.0.0.1:${await freePort()}/ws`;
    const wrongPath = relay.wsUrl.replace(/\/ws$/, '/nope');
    const r = await runLoadTest(small({ url: [relay.wsUrl, refused, wrongPath].join(','), perRoom: 6, hz: 5, seconds: 0.5 }));
    expect(r.connected).toBe(2);
    expect(r.errors).toEqual({ connect_refused: 2, http_404: 2 });
    expect(r.connect_failed).toBe(4);
    for (const key of Object.keys(r.errors)) expect(documented(key), key).toBe(true);
  });
});
