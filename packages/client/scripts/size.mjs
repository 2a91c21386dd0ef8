// Size of the browser build of @roomcast/client, as an application bundler would ship it:
// esbuild bundles everything the browser entry exports (`export * from '@roomcast/client'`), minified,
// then the bytes are gzipped (level 9) and brotli-compressed. Used by test/size.test.ts (the
// budget) and runnable by hand: `node packages/client/scripts/size.mjs` (after `pnpm install`).
// `source` bundles the TypeScript sources (the roomcast-source condition, never stale);
// `dist` bundles the built JavaScript that the npm package ships (run `pnpm -r build` first).
import { build } from 'esbuild';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * @param {{ from?: 'source' | 'dist', entry?: string, resolveDir?: string }} [options] `resolveDir`:
 *   where `@roomcast/client` is resolved from (default this package; e.g. an app with the packed tarball installed)
 * @returns {Promise<{ minified: number, gzip: number, brotli: number, inputs: string[] }>}
 */
export async function measureBrowserBundle({ from = 'source', entry = "export * from '@roomcast/client';", resolveDir = packageDir } = {}) {
  const result = await build({
    stdin: { contents: entry, resolveDir, loader: 'ts' },
    absWorkingDir: resolveDir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: from === 'source' ? ['roomcast-source'] : [],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return {
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code).length,
    inputs: Object.keys(result.metafile.inputs),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const from of /** @type {const} */ (['source', 'dist'])) {
    const m = await measureBrowserBundle({ from }).catch((err) => ({ error: err.message }));
    if ('error' in m) console.log(`${from}: ${m.error}`);
    else console.log(`${from}: ${m.minified} B minified, ${m.gzip} B gzip, ${m.brotli} B brotli, ${m.inputs.length} modules`);
  }
}
