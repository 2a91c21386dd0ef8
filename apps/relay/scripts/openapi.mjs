// Writes docs/openapi.json from the built relay (run `pnpm -r build` first): the same document the
// relay serves at /api/v1/openapi.json. test/server-api.test.ts fails when the committed copy differs.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../dist/http/openapi.js';

const target = new URL('../../../docs/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
