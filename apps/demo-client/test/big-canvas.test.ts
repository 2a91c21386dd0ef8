// The big-canvas mode (`?canvas=big`) in real Chromium against a real relay: each tab subscribes
// to the interest groups (cells) its window shows, receives only the cursors in them, shows its
// groups in the debug view, and gets the cursors of newly shown cells when it scrolls there.
import { describe, expect, it } from 'vitest';
import { expectCursorAt, memberCount, remoteCursors, screenshot, selfId, uniqueRoom, useDemo, type DemoPage } from './browser.js';

const app = useDemo();

const groupsShown = (demo: DemoPage) => demo.page.locator('[data-testid="interest-groups"]').textContent();
const scrollTo = (demo: DemoPage, x: number, y: number) => demo.page.evaluate(([sx, sy]) => window.scrollTo(sx!, sy!), [x, y]);

describe('big canvas with interest groups in Chromium', () => {
  it('shows each tab only the cursors near its window, and the groups it subscribes to', async () => {
    const query = `room=${uniqueRoom('big')}&canvas=big`;
    const alice = await app.open(query);
    const carol = await app.open(query);
    const bob = await app.open(query);
    for (const demo of [alice, bob, carol]) await expect.poll(() => memberCount(demo.page)).toBe(3);
    // Bob looks at the far corner of the 4096 px world; Alice and Carol at the top-left.
    await scrollTo(bob, 2816, 3296);
    await expect.poll(() => groupsShown(bob)).toBe('54, 55, 56, 62, 63, 64');
    for (const demo of [alice, carol]) expect(await groupsShown(demo)).toBe('1, 2, 3, 9, 10, 11');
    expect(await alice.page.locator('.world-cell.is-subscribed').count()).toBe(6);
    expect(await bob.page.locator('.world-cell.is-subscribed[data-group="64"]').count()).toBe(1);

    const [aliceId, carolId] = [await selfId(alice.page), await selfId(carol.page)];
    // Bob moves in his corner (cell 63), then Alice and Carol in theirs (cells 1 and 10).
    await bob.page.mouse.move(380, 280);
    await bob.page.mouse.move(400, 300, { steps: 5 });
    await expect.poll(() => bob.page.locator('[data-testid="interest-cell"]').textContent()).toBe('63');
    await alice.page.mouse.move(280, 240);
    await alice.page.mouse.move(300, 260, { steps: 5 });
    await carol.page.mouse.move(700, 600, { steps: 5 });
    await expectCursorAt(carol.page, aliceId, { x: 300, y: 260 });
    await expectCursorAt(alice.page, carolId, { x: 700, y: 600 });
    // Both of those batches went out after Bob's: had his reached Alice, it would be drawn by now.
    await expect.poll(() => alice.page.locator('[data-testid="interest-cursors"]').textContent()).toBe('1');
    expect(await remoteCursors(alice.page).count()).toBe(1);
    expect(await remoteCursors(bob.page).count()).toBe(0);
    await screenshot(alice.page, 'big-canvas-alice');

    // Bob scrolls to the top-left: he now subscribes to those cells and gets their cursors at
    // once, from the relay's per-group snapshots, without anyone moving.
    await scrollTo(bob, 0, 0);
    await expect.poll(() => groupsShown(bob)).toBe('1, 2, 3, 9, 10, 11');
    await expectCursorAt(bob.page, aliceId, { x: 300, y: 260 });
    await expectCursorAt(bob.page, carolId, { x: 700, y: 600 });
    await screenshot(bob.page, 'big-canvas-bob');

    // Carol scrolls away: Alice's cursor is no longer hers to draw.
    await scrollTo(carol, 2816, 3296);
    await expect.poll(() => carol.page.locator('[data-testid="remote-cursor"]:not(.is-hidden)').count()).toBe(0);
    for (const demo of [alice, bob, carol]) expect(demo.errors).toEqual([]);
  });
});
