// The interest-groups benchmark: its grid and viewports, its results section, and one tiny run
// against the built relay (no speed thresholds: bytes per member follow the viewport, which is
// arithmetic, not timing).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GROUPS_DEFAULTS, SECTION_TITLE, groupsMarkdown, measureGroups, parseGroupsArgs, withSection, type GroupsRun } from '../src/groups.js';
import { placeBots, viewport, viewportMembers, wsFrameBytes } from '../src/groups-grid.js';

describe('groups grid', () => {
  it('gives every bot a 3 x 3 viewport around its cell, shifted inward at the edges', () => {
    expect(viewport(16, 5, 5)).toEqual([69, 70, 71, 85, 86, 87, 101, 102, 103]);
    expect(viewport(16, 0, 0)).toEqual([1, 2, 3, 17, 18, 19, 33, 34, 35]);
    expect(viewport(16, 15, 15)).toEqual([222, 223, 224, 238, 239, 240, 254, 255, 256]);
    expect(viewport(2, 1, 1)).toEqual([1, 2, 3, 4]);
  });

  it('places the same bots for the same seed, each inside its cell and viewport', () => {
    const bots = placeBots(1000, 16);
    expect(placeBots(1000, 16)).toEqual(bots);
    for (const b of bots) {
      expect(b.view).toContain(b.cell);
      expect(b.cell).toBe(1 + Math.floor(b.y / 4096) * 16 + Math.floor(b.x / 4096));
    }
    // About 9/256 of 1,000 bots in a viewport, and every bot counts itself.
    const members = viewportMembers(bots);
    const mean = members.reduce((s, n) => s + n, 0) / members.length;
    expect(mean).toBeGreaterThan(25);
    expect(mean).toBeLessThan(45);
    expect(Math.min(...members)).toBeGreaterThanOrEqual(1);
  });

  it('counts WebSocket framing as uWS sends it (2, 4 or 10 header bytes)', () => {
    expect([wsFrameBytes(125), wsFrameBytes(126), wsFrameBytes(65535), wsFrameBytes(65536)]).toEqual([127, 130, 65539, 65546]);
  });
});

describe('results section', () => {
  it('replaces its own section and keeps the others', () => {
    const doc = `# Results\n\n## A\n\na\n\n${SECTION_TITLE}\n\nold\n\n## B\n\nb\n`;
    expect(withSection(doc, `${SECTION_TITLE}\n\nnew\n`)).toBe(`# Results\n\n## A\n\na\n\n${SECTION_TITLE}\n\nnew\n\n## B\n\nb\n`);
    expect(withSection('# Results\n\n## A\n', `${SECTION_TITLE}\n\nnew\n`)).toBe(`# Results\n\n## A\n\n${SECTION_TITLE}\n\nnew\n`);
  });

  it('leaves runs that could not keep up out of the ratios, and says how many remain', () => {
    const run = (label: string, round: number, bytes: number, sent = 1, delivered = 1): GroupsRun => ({
      label, round, bots: 1000, grid: 16, groups: label !== 'room', bytes_per_member_per_sec: bytes, bytes_per_member_p10: bytes, bytes_per_member_p90: bytes,
      frames_per_member_per_sec: 30, entries_per_member_per_sec: 1, expected_entries_per_member_per_sec: 1, relay_cpu_pct: 10, relay_cpu_ms_per_tick: 2,
      loadgen_cpu_pct: 20, sent_per_sec: 5000, sent_ratio: sent, delivered_ratio: delivered, send_syscalls_per_member_per_tick: 1, errors: 0, loadavg: '1 1 1',
    });
    const md = groupsMarkdown([
      run('room', 0, 40000), run('groups-16', 0, 2000),
      run('room', 1, 20000, 1, 0.6), run('groups-16', 1, 2000), // room fell behind: not a comparison
      run('room', 2, 40000), run('groups-16', 2, 4000, 0.8), // groups bots could not send
    ], 'pnpm bench --only interest-groups', GROUPS_DEFAULTS, '1 1 1', '2 2 2');
    expect(md).toContain('| room / groups-16 | 20.0x (20.0-20.0) | 1.0x (1.0-1.0) | met (n=1) |');
    expect(md).toMatch(/\| room \| 16x16 \| 40000 \|.*\| 2 of 3 \|/);
    expect(md).toMatch(/\| groups-16 \| 16x16 \| 2000 \|.*\| 2 of 3 \|/);
  });

  it('parses its options within bounds', () => {
    expect(parseGroupsArgs(['--', '--rounds', '2', '--bots', '99999'])).toEqual({ ...GROUPS_DEFAULTS, rounds: 2, bots: 5000 });
    expect(() => parseGroupsArgs(['--fast', '1'])).toThrow('unknown option --fast');
  });
});

describe('a tiny run against the built relay', () => {
  it('bots with groups receive their viewport, bots without receive the room', async () => {
    if (!existsSync(fileURLToPath(new URL('../../apps/relay/dist/main.js', import.meta.url)))) throw new Error('apps/relay/dist is missing: build first');
    if (!existsSync(fileURLToPath(new URL('../dist/groups-worker.js', import.meta.url)))) throw new Error('bench/dist is missing: build first');
    const args = { ...GROUPS_DEFAULTS, bots: 40, seconds: 1, warmup: 0.5, workers: 1 };
    const room = await measureGroups({ label: 'room', grid: 16, groups: false }, 0, args);
    const groups = await measureGroups({ label: 'groups-16', grid: 16, groups: true }, 0, args);
    expect(room.errors).toBe(0);
    expect(groups.errors).toBe(0);
    expect(room.sent_per_sec).toBeGreaterThan(0);
    // Without groups every bot gets about 39 senders x 5 Hz; with 16 x 16 cells, a few neighbours.
    expect(room.entries_per_member_per_sec).toBeGreaterThan(groups.entries_per_member_per_sec);
    expect(groups.expected_entries_per_member_per_sec).toBeLessThan(room.expected_entries_per_member_per_sec / 5);
    expect(room.bytes_per_member_per_sec).toBeGreaterThan(groups.bytes_per_member_per_sec);
  });
});
