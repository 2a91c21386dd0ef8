// The README's configuration table against the config schema: the same variables, the same
// defaults, and every bound or cross-field rule the table states is the one parseConfig enforces.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_NAMES, parseConfig } from '../src/config.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface Row { name: string; def: string; meaning: string }

/** The rows of the table under "## Configuration": | `NAME` | `default` | meaning |. */
function configTable(): Row[] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('## Configuration'), text.indexOf('\n## ', text.indexOf('## Configuration') + 1));
  const rows: Row[] = [];
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Z0-9_]+)` \| (.+?) \| (.+) \|$/.exec(line);
    if (m) rows.push({ name: m[1]!, def: m[2]!, meaning: m[3]! });
  }
  return rows;
}

/**
 * The default as a user would type it: `8080` → '8080', *(empty)* → '', a relative folder → absolute.
 * *(key's own)* (RELAY_JWT_ALGORITHMS) is the empty value, which picks the key source's algorithm.
 */
function defaultValue(row: Row): string {
  if (row.def === '*(empty)*') return '';
  if (row.def === "*(key's own)*" && row.name === 'RELAY_JWT_ALGORITHMS') return '';
  // Generated at start-up (checked against its pattern in config.test.ts).
  if (row.name === 'RELAY_NODE_ID' && row.def === '`node-` + 8 random hex') return '';
  const m = /^`([^`]*)`$/.exec(row.def);
  if (!m) throw new Error(`${row.name}: default cell ${row.def} is neither \`value\` nor *(empty)*`);
  return row.name === 'RELAY_STATIC_DIR' ? REPO + m[1] : m[1]!;
}

function refusal(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
}

const rows = configTable();

describe('README configuration table', () => {
  it('lists exactly the variables of the schema, each once', () => {
    expect(rows.map((r) => r.name).sort()).toEqual([...ENV_NAMES].sort());
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s: the stated default is the default', (_name, row) => {
    // Setting the variable to the README's default must change nothing.
    const stated = defaultValue(row);
    // Two parses differ only in the generated node id (RELAY_NODE_ID), so it is left out of the comparison.
    const { nodeId: _a, ...parsed } = parseConfig(stated === '' ? {} : { [row.name]: stated });
    const { nodeId: _b, ...defaults } = parseConfig({});
    expect(parsed).toEqual(defaults);
    // And the row states a default that parses (an empty cell is checked by the line above).
    if (stated !== '') expect(refusal({ [row.name]: stated })).toBe('accepted');
  });

  const bounded = rows.flatMap((row) => {
    const out: [string, 'max' | 'min', number][] = [];
    for (const m of row.meaning.matchAll(/at most (\d+)/g)) out.push([row.name, 'max', Number(m[1])]);
    for (const m of row.meaning.matchAll(/at least (\d+)/g)) out.push([row.name, 'min', Number(m[1])]);
    return out;
  });

  it('states bounds (the check below must not be empty)', () => {
    expect(bounded).toEqual([
      ['RELAY_MAX_ROOMS', 'max', 65535],
      ['RELAY_IDLE_TIMEOUT_SEC', 'min', 8],
    ]);
  });

  it.each(bounded)('%s: %s %d holds exactly', (name, kind, bound) => {
    const inside = bound;
    const outside = kind === 'max' ? bound + 1 : bound - 1;
    expect(refusal({ [name]: String(inside) })).toBe('accepted');
    expect(refusal({ [name]: String(outside) })).toContain(`${name} must be`);
  });

  it('RELAY_IDLE_TIMEOUT_SEC: 0 disables, as stated', () => {
    expect(rows.find((r) => r.name === 'RELAY_IDLE_TIMEOUT_SEC')!.meaning).toContain('0 disables');
    expect(parseConfig({ RELAY_IDLE_TIMEOUT_SEC: '0' }).idleTimeoutSec).toBe(0);
  });

  it('PORT and TCP_PORT: 0 = any free port, TCP_PORT off disables, as stated', () => {
    expect(rows.find((r) => r.name === 'PORT')!.meaning).toContain('0 = any free port');
    expect(rows.find((r) => r.name === 'TCP_PORT')!.meaning).toMatch(/0 = any free port; `off` disables TCP/);
    expect(parseConfig({ PORT: '0', TCP_PORT: '0' })).toMatchObject({ port: 0, tcpPort: 0 });
    expect(parseConfig({ TCP_PORT: 'off' }).tcpPort).toBe('off');
  });

  it('LOG_LEVEL: exactly the listed levels are accepted', () => {
    const levels = [...rows.find((r) => r.name === 'LOG_LEVEL')!.meaning.matchAll(/`([a-z]+)`/g)].map((m) => m[1]!);
    expect(levels).toEqual(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
    for (const level of levels) expect(parseConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    expect(refusal({ LOG_LEVEL: 'verbose' })).toContain('LOG_LEVEL');
  });

  it('RELAY_SOFT_BUFFERED_BYTES: must be below RELAY_MAX_BUFFERED_BYTES, as stated', () => {
    expect(rows.find((r) => r.name === 'RELAY_SOFT_BUFFERED_BYTES')!.meaning).toContain('must be below `RELAY_MAX_BUFFERED_BYTES`');
    expect(refusal({ RELAY_SOFT_BUFFERED_BYTES: '4096', RELAY_MAX_BUFFERED_BYTES: '4096' })).toContain('RELAY_SOFT_BUFFERED_BYTES must be below RELAY_MAX_BUFFERED_BYTES');
    expect(refusal({ RELAY_SOFT_BUFFERED_BYTES: '4095', RELAY_MAX_BUFFERED_BYTES: '4096' })).toBe('accepted');
  });

  it('RELAY_TICK_HZ: between RELAY_MIN_TICK_HZ and RELAY_MAX_TICK_HZ, as stated', () => {
    expect(rows.find((r) => r.name === 'RELAY_TICK_HZ')!.meaning).toContain('between `RELAY_MIN_TICK_HZ` and `RELAY_MAX_TICK_HZ`');
    expect(refusal({ RELAY_TICK_HZ: '20', RELAY_MAX_TICK_HZ: '19' })).toContain('RELAY_TICK_HZ must be between');
    expect(refusal({ RELAY_TICK_HZ: '20', RELAY_MIN_TICK_HZ: '21', RELAY_MAX_TICK_HZ: '30' })).toContain('RELAY_TICK_HZ must be between');
    expect(refusal({ RELAY_TICK_HZ: '20', RELAY_MIN_TICK_HZ: '20', RELAY_MAX_TICK_HZ: '20' })).toBe('accepted');
    expect(rows.find((r) => r.name === 'RELAY_MIN_TICK_HZ')!.meaning).toContain('not above `RELAY_MAX_TICK_HZ`');
    expect(refusal({ RELAY_MIN_TICK_HZ: '21', RELAY_MAX_TICK_HZ: '20', RELAY_TICK_HZ: '20' })).toContain('RELAY_MIN_TICK_HZ must not be above RELAY_MAX_TICK_HZ');
  });

  it('TCP_FLASH_POLICY_FILE: needs TCP_FLASH_POLICY=on, as stated', () => {
    expect(rows.find((r) => r.name === 'TCP_FLASH_POLICY_FILE')!.meaning).toContain('needs `TCP_FLASH_POLICY=on`');
    expect(refusal({ TCP_FLASH_POLICY_FILE: '/tmp/p.xml' })).toContain('TCP_FLASH_POLICY_FILE is only used with TCP_FLASH_POLICY=on');
  });
});
