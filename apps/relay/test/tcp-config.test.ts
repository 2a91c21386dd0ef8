// TCP settings: TCP_PORT (a port, 0, or off), TCP_FRAME_TIMEOUT_SEC, TCP_FLASH_POLICY and its file; bad values name the variable.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';
import { startTestRelay } from './helpers.js';

function problem(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('tcp config', () => {
  it('defaults: TCP on port 8081, Flash policy off', () => {
    expect(parseConfig({})).toMatchObject({ tcpPort: 8081, tcpFlashPolicy: false, tcpFlashPolicyFile: '' });
  });

  it('TCP_PORT takes a port, 0, or off', () => {
    expect(parseConfig({ TCP_PORT: '9001' }).tcpPort).toBe(9001);
    expect(parseConfig({ TCP_PORT: '0' }).tcpPort).toBe(0);
    expect(parseConfig({ TCP_PORT: 'off' }).tcpPort).toBe('off');
  });

  it.each(['70000', 'eighty', '-1', '1.5', 'false'])('TCP_PORT=%s fails naming the variable', (value) => {
    expect(problem({ TCP_PORT: value })).toContain(`TCP_PORT must be a port number from 0 to 65535, or 'off' to disable raw TCP (got ${JSON.stringify(value)})`);
  });

  it('TCP_FRAME_TIMEOUT_SEC: 10 s by default, 0 disables, bad values name the variable', () => {
    expect(parseConfig({}).tcpFrameTimeoutSec).toBe(10);
    expect(parseConfig({ TCP_FRAME_TIMEOUT_SEC: '0' }).tcpFrameTimeoutSec).toBe(0);
    expect(parseConfig({ TCP_FRAME_TIMEOUT_SEC: '3' }).tcpFrameTimeoutSec).toBe(3);
    expect(problem({ TCP_FRAME_TIMEOUT_SEC: 'soon' })).toContain('TCP_FRAME_TIMEOUT_SEC');
    expect(problem({ TCP_FRAME_TIMEOUT_SEC: '-1' })).toContain('TCP_FRAME_TIMEOUT_SEC');
  });

  it('TCP_FLASH_POLICY is on or off', () => {
    expect(parseConfig({ TCP_FLASH_POLICY: 'on' }).tcpFlashPolicy).toBe(true);
    expect(problem({ TCP_FLASH_POLICY: 'yes' })).toContain("TCP_FLASH_POLICY must be 'on' or 'off'");
  });

  it('TCP_FLASH_POLICY_FILE needs the policy on and TCP enabled', () => {
    expect(problem({ TCP_FLASH_POLICY_FILE: '/tmp/p.xml' })).toContain('TCP_FLASH_POLICY_FILE is only used with TCP_FLASH_POLICY=on');
    expect(problem({ TCP_FLASH_POLICY_FILE: '/tmp/p.xml', TCP_FLASH_POLICY: 'on', TCP_PORT: 'off' })).toContain('TCP_FLASH_POLICY_FILE');
    expect(parseConfig({ TCP_FLASH_POLICY_FILE: '/tmp/p.xml', TCP_FLASH_POLICY: 'on' }).tcpFlashPolicyFile).toBe('/tmp/p.xml');
  });

  it('an unreadable policy file stops start-up naming TCP_FLASH_POLICY_FILE', async () => {
    const missing = join(tmpdir(), 'roomcast-no-such-policy.xml');
    await expect(startTestRelay({ tcpFlashPolicy: true, tcpFlashPolicyFile: missing })).rejects.toThrow(/TCP_FLASH_POLICY_FILE .* cannot be read/);
  });
});
