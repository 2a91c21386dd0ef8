// Size budget of the browser build (issue 9): everything a browser user imports from
// @roomcast/client, bundled and minified by esbuild, must stay within 14 kB gzipped, and must
// not contain zod, msgpackr, ws or any Node built-in. Measured from the TypeScript sources, so
// the budget holds for every commit without a build step; scripts/size.mjs also measures dist.
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations (it is also a CLI).
import { measureBrowserBundle } from '../scripts/size.mjs';

/** The budget, in gzipped bytes (level 9). README "Bundle size" records the measured figures. */
const GZIP_BUDGET_BYTES = 14_000;
/** What `@roomcast/client/files` may add on top of the main entry (issue 19). */
const FILES_GZIP_BUDGET_BYTES = 4_000;

interface Measure { minified: number; gzip: number; brotli: number; inputs: string[] }

describe('browser bundle', () => {
  test(`is at most ${GZIP_BUDGET_BYTES} bytes gzipped, without zod, msgpackr, ws or node: modules`, async () => {
    const m = (await measureBrowserBundle()) as Measure;
    console.log(`browser bundle: ${m.minified} B minified, ${m.gzip} B gzip, ${m.brotli} B brotli`);
    expect(m.gzip).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
    const heavy = m.inputs.filter((path) => /node_modules\/(\.pnpm\/)?(zod|msgpackr|ws)[@/]|^node:|tcp-socket/.test(path));
    expect(heavy).toEqual([]);
    // The client itself is in there (the measurement is not of an empty bundle).
    expect(m.inputs).toEqual(expect.arrayContaining(['src/browser.ts', 'src/client.ts', '../protocol/src/decode-server.ts']));
    expect(m.minified).toBeGreaterThan(10_000);
  });

  test('file transfer is not in the main bundle; its own entry adds at most 4,000 bytes gzipped', async () => {
    const main = (await measureBrowserBundle()) as Measure;
    expect(main.inputs.filter((path) => path.includes('/files'))).toEqual([]);
    const both = (await measureBrowserBundle({ entry: "export * from '@roomcast/client'; export * from '@roomcast/client/files';" })) as Measure;
    console.log(`browser bundle with @roomcast/client/files: ${both.minified} B minified, ${both.gzip} B gzip (+${both.gzip - main.gzip})`);
    expect(both.inputs).toEqual(expect.arrayContaining(['src/files/room-files.ts', '../protocol/src/files.ts']));
    expect(both.gzip - main.gzip).toBeLessThanOrEqual(FILES_GZIP_BUDGET_BYTES);
  });

  test('the Node entry does pull ws and node:net (so the check above can fail)', async () => {
    // Bundling the Node entry for the browser fails on node:net; for Node it includes ws.
    await expect(measureBrowserBundle({ entry: "export * from './src/node.ts';" })).rejects.toThrow(/node:net|ws/);
  });
});
