#!/usr/bin/env node
// `node mutation/report.mjs <target> [--survivors] [--files a,b]`: the per-file scores of the last
// run of a target (reports/mutation/<target>.json, written by `pnpm mutate <target>`), and with
// --survivors each surviving / uncovered mutant by file and line, to write tests against or to mark
// as equivalent. Score = (killed + timed out) / (all − ignored − compile errors), as Stryker counts.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2).filter((a) => a !== '--');
const name = args.shift();
if (!name) {
  console.error('usage: node mutation/report.mjs <target> [--survivors] [--files a,b]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = JSON.parse(readFileSync(join(root, `reports/mutation/${name}.json`), 'utf8'));
const filesAt = args.indexOf('--files');
const only = filesAt >= 0 ? args[filesAt + 1].split(',') : undefined;
const survivors = args.includes('--survivors');

const total = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
const rows = [];
for (const [file, { mutants, source }] of Object.entries(report.files)) {
  const rel = relative(root, join(root, file));
  if (only && !only.some((f) => rel.endsWith(f))) continue;
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
  for (const m of mutants) count[m.status] = (count[m.status] ?? 0) + 1;
  for (const k of Object.keys(count)) total[k] += count[k];
  rows.push([rel, count]);
  if (survivors) {
    const lines = source.split('\n');
    for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
      const { start } = m.location;
      console.log(`${rel}:${start.line}:${start.column} ${m.status} ${m.mutatorName}: ${JSON.stringify(m.replacement ?? '')}`);
      console.log(`    ${lines[start.line - 1]?.trim()}`);
    }
  }
}
const score = (c) => {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid === 0 ? 'n/a' : `${((100 * (c.Killed + c.Timeout)) / valid).toFixed(2)}%`;
};
console.log('\n| file | score | killed | timeout | survived | no coverage | ignored |\n|---|---|---|---|---|---|---|');
for (const [file, c] of [...rows, ['all', total]]) {
  console.log(`| \`${file}\` | ${score(c)} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} |`);
}
