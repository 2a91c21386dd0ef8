// Builds the demo page once per test run, with Vite's programmatic API, into a temporary folder
// that the browser tests serve through an in-process relay. Building here (rather than relying on
// the root `pnpm -r build`) lets `vitest run --project demo-client` work on its own, and never
// touches dist/ while someone may be serving it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

const root = fileURLToPath(new URL('..', import.meta.url));

export default async function setup(project: TestProject): Promise<() => void> {
  const outDir = mkdtempSync(join(tmpdir(), 'roomcast-demo-'));
  await build({
    configFile: join(root, 'vite.config.ts'),
    root,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  project.provide('demoDist', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder holding the built demo page (index.html, assets/). */
    demoDist: string;
  }
}
