// Two Chromium pages join the game through the backend (the page it serves, POST /play), land in
// the same match, and each sees the other move. Chromium comes from the demo's browser fixtures
// (system Chromium through playwright-core).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openDemo, waitLive, type DemoPage } from '../../demo-client/test/browser.js';
import { useGame } from './game.js';

const game = useGame({ GAME_ROOM_PREFIX: 'web:' });
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function me(page: DemoPage): Promise<number> {
  return Number(await page.page.locator('[data-testid="scores"] li.you').getAttribute('data-member-id'));
}

/** Where `page` draws member `id` (arena units), from the score list's data-x/data-y. */
async function drawnAt(page: DemoPage, id: number): Promise<{ x: number; y: number }> {
  const li = page.page.locator(`[data-testid="scores"] li[data-member-id="${id}"]`);
  return { x: Number(await li.getAttribute('data-x')), y: Number(await li.getAttribute('data-y')) };
}

/** A finger lands on the arena, drags `dx` px sideways and stays `ms`, then lifts. */
async function drag(page: DemoPage, dx: number, ms: number): Promise<void> {
  const touch = (type: string, x: number) => page.page.evaluate(([type, x]) => {
    const canvas = document.querySelector<HTMLCanvasElement>('#arena')!;
    const r = canvas.getBoundingClientRect();
    const t = new Touch({ identifier: 1, target: canvas, clientX: r.left + r.width / 2 + (x as number), clientY: r.top + r.height / 2 });
    canvas.dispatchEvent(new TouchEvent(type as string, { changedTouches: [t], touches: type === 'touchend' ? [] : [t], bubbles: true, cancelable: true }));
  }, [type, x] as const);
  await touch('touchstart', 0);
  await touch('touchmove', dx);
  await page.page.waitForTimeout(ms);
  await touch('touchend', dx);
}

async function hold(page: DemoPage, key: string, ms: number): Promise<void> {
  await page.page.keyboard.down(key);
  await page.page.waitForTimeout(ms);
  await page.page.keyboard.up(key);
}

describe('the page', () => {
  it('two pages join one match and each sees the other move (keyboard, touch)', async () => {
    const alice = await openDemo(browser, `${game.backend.url}/?name=alice`, { width: 900, height: 700 });
    const bob = await openDemo(browser, `${game.backend.url}/?name=bob`, { width: 900, height: 700 }, { hasTouch: true });
    await waitLive(alice.page);
    await waitLive(bob.page);
    expect(await alice.page.locator('[data-testid="room"]').textContent()).toBe(await bob.page.locator('[data-testid="room"]').textContent());
    for (const p of [alice, bob]) await expect.poll(() => p.page.locator('[data-testid="scores"] li').count()).toBe(2);
    const [a, b] = [await me(alice), await me(bob)];
    await expect.poll(async () => (await drawnAt(bob, a)).x, { timeout: 10_000 }).toBeGreaterThan(0);

    // Alice runs right: Bob's page draws her further right. Then Bob runs down: Alice sees it.
    // (Away from the wall they start nearest to, so the move is not clamped.)
    const aliceBefore = await drawnAt(bob, a);
    const right = aliceBefore.x < 500;
    await hold(alice, right ? 'ArrowRight' : 'ArrowLeft', 600);
    await expect.poll(async () => ((await drawnAt(bob, a)).x - aliceBefore.x) * (right ? 1 : -1)).toBeGreaterThan(60);
    const bobBefore = await drawnAt(alice, b);
    const down = bobBefore.y < 500;
    await hold(bob, down ? 'ArrowDown' : 'ArrowUp', 600);
    await expect.poll(async () => ((await drawnAt(alice, b)).y - bobBefore.y) * (down ? 1 : -1)).toBeGreaterThan(60);
    // Bob on a touch screen: a drag sideways steers him sideways.
    const bobThen = await drawnAt(alice, b);
    const toRight = bobThen.x < 500;
    await drag(bob, toRight ? 80 : -80, 600);
    await expect.poll(async () => ((await drawnAt(alice, b)).x - bobThen.x) * (toRight ? 1 : -1)).toBeGreaterThan(60);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  });

  it('survives a dropped relay connection: back in its seat, still moving for the other', async () => {
    const alice = await openDemo(browser, `${game.backend.url}/?name=alice`, { width: 900, height: 700 });
    const bob = await openDemo(browser, `${game.backend.url}/?name=bob`, { width: 900, height: 700 });
    await waitLive(alice.page);
    await waitLive(bob.page);
    await expect.poll(() => bob.page.locator('[data-testid="scores"] li').count()).toBe(2);
    const a = await me(alice);
    const room = await alice.page.locator('[data-testid="room"]').textContent();
    await alice.page.evaluate(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="status"]')!;
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => seen.push(el.dataset.state ?? '')).observe(el, { attributes: true, attributeFilter: ['data-state'] });
    });
    // The relay drops Alice's connection (as a network failure would): her page reconnects and
    // takes its seat back (RELAY_SEAT_GRACE_MS), so she keeps her member id.
    const conn = [...game.relay.relay.connections].find((c) => [...c.rooms.values()].some((m) => m.id === a && m.room.name === room));
    game.relay.relay.close(conn!, 'slow_consumer', 'test drop');
    await expect.poll(() => alice.page.evaluate(() => (window as unknown as { seen: string[] }).seen.join(','))).toBe('reconnecting,live');
    expect(await me(alice)).toBe(a);
    const before = await drawnAt(bob, a);
    await hold(alice, before.x < 500 ? 'ArrowRight' : 'ArrowLeft', 600);
    await expect.poll(async () => Math.abs((await drawnAt(bob, a)).x - before.x)).toBeGreaterThan(60);
    expect(alice.errors).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  });
});
