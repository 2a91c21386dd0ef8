// The backend's HTTP face (node:http): POST /play (matchmaking), POST /webhooks (the relay's
// signed events), GET /healthz, and the built page at `/`.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { RoomcastApiError, verifyWebhook } from '@roomcast/server';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { GameConfig } from './config.js';
import type { Matchmaker } from './matchmaker.js';

const MAX_BODY_BYTES = 64 * 1024;
const playBody = z.object({ name: z.string().regex(/^[\x20-\x7e]{1,24}$/, 'name must be 1-24 printable ASCII characters').optional() });
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png',
};

export function createHttpServer(config: GameConfig, matchmaker: Matchmaker, log: Logger): Server {
  return createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      log.error({ err: err.message, url: req.url }, 'request failed');
      if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/play' && req.method === 'POST') {
      const parsed = playBody.safeParse(parseJson(await body(req)));
      if (!parsed.success) return json(res, 400, { error: { code: 'bad_request', message: parsed.error.issues[0]!.message } });
      try {
        return json(res, 200, await matchmaker.play(parsed.data.name ?? 'player'));
      } catch (err) {
        // The relay is down or refused to create a room (relay_full): say so, the player may retry.
        if (!(err instanceof RoomcastApiError)) throw err;
        log.warn({ code: err.code, err: err.message }, 'matchmaking failed');
        return json(res, 503, { error: { code: 'relay_unavailable', message: `the relay could not open a match (${err.code})` } });
      }
    }
    if (path === '/webhooks' && req.method === 'POST') {
      if (config.webhookSecret === '') return json(res, 404, { error: { code: 'not_found', message: 'webhooks are off (GAME_WEBHOOK_SECRET)' } });
      let events: ReturnType<typeof verifyWebhook>['events'];
      try {
        events = verifyWebhook(config.webhookSecret, await body(req), req.headers).events;
      } catch {
        return json(res, 400, { error: { code: 'bad_signature', message: 'webhook signature did not verify' } });
      }
      for (const event of events) {
        const match = matchmaker.matches.get(event.room);
        if (match === undefined) continue;
        if (event.type === 'member.left') match.forget(event.memberId);
        if (event.type === 'room.closed') await match.close('room closed on the relay');
      }
      res.writeHead(204).end();
      return;
    }
    if (path === '/healthz' && req.method === 'GET') {
      const matches = [...matchmaker.matches.values()];
      return json(res, 200, { status: 'ok', matches: matches.length, players: matches.reduce((n, m) => n + m.sim.players.size, 0) });
    }
    if (req.method === 'GET' && config.staticDir !== '') return serveStatic(res, config.staticDir, path);
    json(res, 404, { error: { code: 'not_found', message: `${req.method} ${path}` } });
  }
}

async function serveStatic(res: ServerResponse, root: string, path: string): Promise<void> {
  const file = normalize(join(root, path === '/' ? 'index.html' : decodeURIComponent(path)));
  if (!file.startsWith(normalize(root) + sep)) return json(res, 404, { error: { code: 'not_found', message: path } });
  try {
    const bytes = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(bytes);
  } catch {
    json(res, 404, { error: { code: 'not_found', message: path } });
  }
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return {};
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
