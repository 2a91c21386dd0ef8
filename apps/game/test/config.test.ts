// The backend's configuration: defaults, and a bad value names its variable (in-process and as
// the process's exit message).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseGameConfig } from '../src/index.js';

const KEYS = { RELAY_API_KEY: 'k'.repeat(24), RELAY_JWT_SECRET: 's'.repeat(32) };

describe('parseGameConfig', () => {
  it('fills the defaults', () => {
    expect(parseGameConfig(KEYS)).toEqual({
      port: 8090, host: '127.0.0.1', relayHttpUrl: 'http://127.0.0.1:8080', relayWsUrl: 'ws://127.0.0.1:8080/ws',
      apiKey: KEYS.RELAY_API_KEY, jwtSecret: KEYS.RELAY_JWT_SECRET, webhookSecret: '', maxPlayers: 8, simHz: 20,
      roomTickHz: 60, roundMs: 60_000, pauseMs: 3000, maxActionsPerSec: 10, reservationMs: 15_000, emptyCloseMs: 10_000,
      roomPrefix: 'tag:', staticDir: expect.stringMatching(/\/apps\/game\/src\/web$/), logLevel: 'info',
    });
    expect(parseGameConfig({ ...KEYS, GAME_STATIC_DIR: 'off' }).staticDir).toBe('');
    expect(parseGameConfig({ ...KEYS, RELAY_HTTP_URL: 'https://relay.example/' }).relayWsUrl).toBe('wss://relay.example/ws');
  });

  it.each([
    [{ GAME_MAX_PLAYERS: '9' }, /^GAME_MAX_PLAYERS: .* \(got "9"\)$/],
    [{ GAME_SIM_HZ: 'fast' }, /^GAME_SIM_HZ: /],
    [{ RELAY_HTTP_URL: 'ftp://x' }, /^RELAY_HTTP_URL: /],
    [{ RELAY_API_KEY: 'short' }, /^RELAY_API_KEY: must be one of the relay's RELAY_API_KEYS .* \(got hidden\)$/],
    [{ RELAY_JWT_SECRET: undefined }, /^RELAY_JWT_SECRET: .* \(got unset\)$/],
    [{ GAME_WEBHOOK_SECRET: 'plain' }, /^GAME_WEBHOOK_SECRET: must be whsec_/],
  ])('names the bad variable: %o', (bad, message) => {
    expect(() => parseGameConfig({ ...KEYS, ...bad })).toThrow(ConfigError);
    expect(() => parseGameConfig({ ...KEYS, ...bad })).toThrow(message);
  });

  it('stops the process with exit code 2 and the message', () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const run = spawnSync(process.execPath, [main], { env: { PATH: process.env.PATH, ...KEYS, GAME_PORT: '70000' }, encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^game-backend: GAME_PORT: .* \(got "70000"\)\n$/);
  });
});
