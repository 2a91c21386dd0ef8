// README.md must match the code: its Exports list is exactly what the entries export, it says
// nothing contradictory about raw TCP, and its size table names the budget the test enforces.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as nodeEntry from '../src/node.js';
import * as browserEntry from '../src/browser.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const exportsTs = readFileSync(new URL('../src/exports.ts', import.meta.url), 'utf8');

/** Names in the `export { … }` / `export type { … }` lists of exports.ts, plus each entry's RoomcastClient. */
function exportedNames(): string[] {
  const names = ['RoomcastClient'];
  for (const [, list] of exportsTs.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const item of list!.split(',')) names.push(item.trim().replace(/^type\s+/, ''));
  }
  return names.filter(Boolean).sort();
}

function readmeNames(): string[] {
  const block = /## Exports[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  return block!.split('\n').filter((l) => !l.startsWith('//')).join(',').split(',').map((n) => n.trim()).filter(Boolean).sort();
}

describe('README.md', () => {
  test('the Exports list is exactly what the entries export', () => {
    expect(readmeNames()).toEqual(exportedNames());
  });

  test('both entries export the same runtime values, all named in the README', () => {
    expect(Object.keys(browserEntry).sort()).toEqual(Object.keys(nodeEntry).sort());
    for (const name of Object.keys(nodeEntry)) expect(readmeNames()).toContain(name);
  });

  test('does not deny the raw-TCP transport it documents', () => {
    expect(readme).toContain('## Raw TCP (Node only)');
    expect(readme).not.toMatch(/No raw-TCP transport/i);
  });

  test('states the size budget that test/size.test.ts enforces', () => {
    const sizeTest = readFileSync(new URL('./size.test.ts', import.meta.url), 'utf8');
    const budget = /GZIP_BUDGET_BYTES = ([\d_]+)/.exec(sizeTest)![1]!.replace(/_/g, '');
    expect(readme).toContain(`${Number(budget).toLocaleString('en-US')} bytes gzipped`);
  });
});
