// pnpm bench regenerates docs/benchmarks.md but keeps the sections other commands wrote below
// the marker (pnpm bench:files, issue 19).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { KEPT_MARKER, keptSections } from '../src/run.js';

test('keeps everything from the marker on, and nothing without one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-kept-'));
  const withMarker = join(dir, 'a.md');
  writeFileSync(withMarker, `# old generated\n\n${KEPT_MARKER}\n\n## File transfer\n\nfigures\n`);
  expect(keptSections(withMarker)).toBe(`\n${KEPT_MARKER}\n\n## File transfer\n\nfigures\n`);
  const without = join(dir, 'b.md');
  writeFileSync(without, '# old generated\n');
  expect(keptSections(without)).toBe('');
  expect(keptSections(join(dir, 'missing.md'))).toBe('');
});
