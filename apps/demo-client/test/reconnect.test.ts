// The demo survives a relay restart: pages show "reconnecting", come back live on the new relay
// (same port), and cursors flow again under the members' new ids.
import type { RelayServer } from '@roomcast/relay';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  expectCursorAt, freePort, launchChromium, memberCount, openDemo, remoteCursors, screenshot, selfId,
  startDemoRelay, waitLive, type DemoPage,
} from './browser.js';

let relay: RelayServer | undefined;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await relay?.close();
});

/**
 * Console errors other than Chromium's own line for a refused WebSocket connection: while the
 * relay is down, the browser logs each failed reconnect attempt (the page cannot suppress that).
 * Those are expected in these tests; nothing else is.
 */
function unexpectedErrors(demo: DemoPage): string[] {
  const refused = /^console\.error: WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws' failed: .*ERR_CONNECTION_REFUSED$/;
  return demo.errors.filter((e) => !refused.test(e));
}

/** Records every status the page shows from now on (the transitions are too quick to poll). */
async function recordStatuses(demo: DemoPage): Promise<void> {
  await demo.page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-testid="status"]')!;
    const seen: string[] = [];
    (window as unknown as { statusesSeen: string[] }).statusesSeen = seen;
    new MutationObserver(() => seen.push(el.dataset.state ?? '')).observe(el, { attributes: true, attributeFilter: ['data-state'] });
  });
}

function statusesSeen(demo: DemoPage): Promise<string[]> {
  return demo.page.evaluate(() => (window as unknown as { statusesSeen: string[] }).statusesSeen);
}

it('reconnects after the relay restarts and shows cursors again', async () => {
  // In-process re-listen on a port first chosen by bind(0) can fail while old sockets sit in
  // TIME_WAIT, so pick a free port up front and start both relays on it explicitly.
  const port = await freePort();
  relay = await startDemoRelay(port);
  const url = `${relay.httpUrl}/?room=restart`;
  const alice = await openDemo(browser, url);
  const bob = await openDemo(browser, url);
  await waitLive(alice.page);
  await waitLive(bob.page);
  await expect.poll(() => memberCount(bob.page)).toBe(2);

  await alice.page.mouse.move(400, 300, { steps: 10 });
  await expectCursorAt(bob.page, await selfId(alice.page), { x: 400, y: 300 });

  await recordStatuses(alice);
  await recordStatuses(bob);
  await relay.close(); // clients get 1001 going_away and start reconnecting
  relay = await startDemoRelay(port);

  for (const demo of [alice, bob]) {
    await expect.poll(() => statusesSeen(demo), { timeout: 15_000 }).toContain('reconnecting');
    await waitLive(demo.page);
  }
  await expect.poll(() => relay!.relay.connections.size).toBe(2);
  await expect.poll(() => memberCount(bob.page)).toBe(2);
  await expect.poll(() => memberCount(alice.page)).toBe(2);

  // The old cursor was dropped with the old session. Alice's page sends its position again
  // after the rejoin, so Bob sees it under her new id before she moves, then the move.
  const aliceId = await selfId(alice.page);
  await expectCursorAt(bob.page, aliceId, { x: 400, y: 300 });
  await alice.page.mouse.move(760, 480, { steps: 10 });
  await expectCursorAt(bob.page, aliceId, { x: 760, y: 480 });
  expect(await remoteCursors(bob.page).count()).toBe(1);
  await screenshot(bob.page, 'after-reconnect-bob');

  for (const demo of [alice, bob]) expect(unexpectedErrors(demo)).toEqual([]);
  await alice.context.close();
  await bob.context.close();
});

it('keeps trying when the relay is not up yet when the page loads', async () => {
  // The page comes from one relay and is pointed (?relay=) at a port where nothing listens yet.
  const pageServer = await startDemoRelay();
  const port = await freePort();
  const demo = await openDemo(browser, `${pageServer.httpUrl}/?room=late&relay=ws://127.0.0.1:${port}/ws`);
  try {
    await expect.poll(() => demo.page.getByTestId('status').getAttribute('data-state')).toBe('reconnecting');
    const late = await startDemoRelay(port);
    try {
      await waitLive(demo.page);
      expect(await memberCount(demo.page)).toBe(1);
      expect(late.relay.connections.size).toBe(1);
    } finally {
      await demo.context.close();
      await late.close();
    }
  } finally {
    await pageServer.close();
  }
  expect(unexpectedErrors(demo)).toEqual([]);
});
