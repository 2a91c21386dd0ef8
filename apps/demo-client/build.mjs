// Placeholder build: copies the static page to dist/ so the relay can serve it at /.
// The Vite build of the shared-cursor demo replaces this.
import { mkdirSync, copyFileSync } from 'node:fs';
mkdirSync(new URL('./dist/', import.meta.url), { recursive: true });
copyFileSync(new URL('./index.html', import.meta.url), new URL('./dist/index.html', import.meta.url));
