// The demo across a cluster (issue 15): two relay nodes on one real redis-server, a page on each,
// in the same room. Each page lists both members and shows the other's cursor where it stopped.
import { parseConfig, startRelay, type RelayServer } from '@roomcast/relay';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisServer } from '../../relay/test/cluster/redis.js';
import { expectCursorAt, launchChromium, memberCount, openDemo, selfId, uniqueRoom, waitLive, type DemoPage } from './browser.js';

let redis: RedisServer;
let nodes: RelayServer[] = [];
let browser: Browser;
const pages: DemoPage[] = [];

function startNode(nodeId: string): Promise<RelayServer> {
  return startRelay({
    config: parseConfig({ TCP_PORT: 'off' }),
    overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', staticDir: inject('demoDist'), redisUrl: redis.url, nodeId },
  });
}

beforeAll(async () => {
  redis = await RedisServer.start();
  nodes = [await startNode('demo-1'), await startNode('demo-2')];
  browser = await launchChromium();
});

afterAll(async () => {
  for (const p of pages) await p.context.close();
  await browser?.close();
  await Promise.all(nodes.map((n) => n.close()));
  await redis?.stop();
});

describe('shared cursors across two relay nodes', () => {
  it('a page on each node sees the other member and its cursor', async () => {
    const room = uniqueRoom('cluster');
    const alice = await openDemo(browser, `${nodes[0]!.httpUrl}/?room=${room}`);
    const bob = await openDemo(browser, `${nodes[1]!.httpUrl}/?room=${room}`);
    pages.push(alice, bob);
    await waitLive(alice.page);
    await waitLive(bob.page);
    for (const demo of [alice, bob]) await expect.poll(() => memberCount(demo.page), { timeout: 10_000 }).toBe(2);

    const aliceId = await selfId(alice.page);
    const bobId = await selfId(bob.page);
    expect(aliceId).not.toBe(bobId);
    await alice.page.mouse.move(300, 260);
    await alice.page.mouse.move(640, 410, { steps: 20 });
    await expectCursorAt(bob.page, aliceId, { x: 640, y: 410 });
    await bob.page.mouse.move(500, 300, { steps: 10 });
    await expectCursorAt(alice.page, bobId, { x: 500, y: 300 });
    expect(nodes[0]!.relay.rooms.get(room)?.remote.size).toBe(1);
    expect(nodes[1]!.relay.rooms.get(room)?.remote.size).toBe(1);
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
