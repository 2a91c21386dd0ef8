// Until tokens are wired into the relay (issue 11 phase 2), a relay configured to require them
// must not start and silently serve everyone: the process stops naming the variables.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { unenforcedAuthSettings } from '../../src/auth/index.js';
import { SECRET, config } from './tokens.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the build first (pnpm build, or the root pnpm test)`);
});

describe('settings not enforced yet', () => {
  it('lists key sources, RELAY_ALLOW_ANONYMOUS=false and an Origin list; the defaults list nothing', () => {
    expect(unenforcedAuthSettings(config({}))).toStrictEqual([]);
    expect(unenforcedAuthSettings(config({ RELAY_ALLOW_ANONYMOUS: 'true', RELAY_JWT_CLOCK_TOLERANCE_SEC: '1' }))).toStrictEqual([]);
    expect(unenforcedAuthSettings(config({ RELAY_JWT_SECRET: SECRET, RELAY_ALLOW_ANONYMOUS: 'false', RELAY_ALLOWED_ORIGINS: 'https://a.example' })))
      .toStrictEqual(['RELAY_JWT_SECRET', 'RELAY_ALLOW_ANONYMOUS=false', 'RELAY_ALLOWED_ORIGINS']);
  });

  it('the relay process stops with exit 1, naming them and never printing the secret', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TCP_PORT: '0', RELAY_JWT_SECRET: SECRET },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('RELAY_JWT_SECRET: token, anonymous and Origin checks are not enforced by this build yet');
    expect(stderr).not.toContain(SECRET);
  });
});
