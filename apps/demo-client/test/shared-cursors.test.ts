// The demo in real Chromium against a real relay: two pages in a room see each other's cursors,
// a page in another room sees nothing, a cursor goes away with its page, and a late joiner gets
// the cursors already in the room from the relay's snapshot.
import { describe, expect, it } from 'vitest';
import {
  cursorTip, documentSize, expectCursorAt, memberCount, remoteCursors, screenshot, selfId,
  uniqueRoom, useDemo, type DemoPage,
} from './browser.js';

const app = useDemo();
const pages: DemoPage[] = [];

async function open(query: string, viewport?: { width: number; height: number }, hasTouch = false): Promise<DemoPage> {
  const page = await app.open(query, viewport, { hasTouch });
  pages.push(page);
  return page;
}

describe('shared cursors in Chromium', () => {
  it('serves the built page at /', async () => {
    const res = await fetch(`${app.relay.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div class="cursor-layer"');
  });

  it('puts a random room into the URL when none is given', async () => {
    const demo = await open('');
    const url = new URL(demo.page.url());
    expect(url.searchParams.get('room')).toMatch(/^[a-z]+-[a-z]+-\d{3}$/);
    expect(await demo.page.locator('#share-link').inputValue()).toBe(url.href);
    expect(await demo.page.getByRole('button', { name: 'Copy share link' }).isVisible()).toBe(true);
    expect(await memberCount(demo.page)).toBe(1);
    await demo.context.close();
    expect(demo.errors).toEqual([]);
  });

  it('shows a moving cursor to the other member, not to another room, and removes it on leave', async () => {
    // This file has its own relay, so readable room names are unique enough (and look good in
    // the screenshot that docs/demo.png was taken from).
    const room = 'design-review';
    const alice = await open(`room=${room}`);
    const bob = await open(`room=${room}`);
    const dave = await open(`room=${room}`); // watches both cursors, for the screenshot
    const carol = await open(`room=${uniqueRoom('elsewhere')}`);

    for (const demo of [alice, bob, dave]) await expect.poll(() => memberCount(demo.page)).toBe(3);
    const aliceId = await selfId(alice.page);
    await alice.page.locator('#name-input').fill('Alice');
    await alice.page.getByRole('radio', { name: 'Indigo' }).check();
    await bob.page.locator('#name-input').fill('Bob');
    await bob.page.getByRole('radio', { name: 'Rose' }).check();
    await dave.page.locator('#name-input').fill('Dave');
    await dave.page.getByRole('radio', { name: 'Teal' }).check();

    // Move in a path, like a hand would; Bob must end up showing Alice's cursor where she stopped.
    await alice.page.mouse.move(300, 260);
    await alice.page.mouse.move(700, 430, { steps: 25 });
    await expectCursorAt(bob.page, aliceId, { x: 700, y: 430 });
    await expect.poll(() => bob.page.locator(`[data-testid="remote-cursor"][data-member-id="${aliceId}"] .cursor-label`).textContent())
      .toBe('Alice');
    await alice.page.mouse.move(520, 360, { steps: 12 });
    await expectCursorAt(bob.page, aliceId, { x: 520, y: 360 });

    // Bob's cursor shows on Alice's page too, and a click makes a ripple on Bob's page.
    const bobId = await selfId(bob.page);
    await bob.page.mouse.move(880, 300, { steps: 10 });
    await expectCursorAt(alice.page, bobId, { x: 880, y: 300 });
    const ripple = bob.page.locator('[data-testid="ripple"]');
    await alice.page.mouse.click(560, 520);
    await ripple.first().waitFor({ state: 'attached', timeout: 10_000 });

    // Traffic is counted.
    await expect.poll(() => bob.page.getByTestId('bytes-received').textContent()).not.toBe('0 B/s');

    await alice.page.mouse.move(640, 360, { steps: 8 });
    await expectCursorAt(bob.page, aliceId, { x: 640, y: 360 });
    await expectCursorAt(dave.page, aliceId, { x: 640, y: 360 });
    await expectCursorAt(dave.page, bobId, { x: 880, y: 300 });
    await expect.poll(() => dave.page.locator(`[data-testid="remote-cursor"][data-member-id="${bobId}"] .cursor-label`).textContent())
      .toBe('Bob');
    await screenshot(dave.page, 'two-cursors');
    await screenshot(bob.page, 'two-cursors-bob');

    // Carol, in another room, has seen nothing of this by now.
    expect(await remoteCursors(carol.page).count()).toBe(0);
    expect(await memberCount(carol.page)).toBe(1);

    // Alice closes her tab: her cursor and list entry disappear from the others' pages.
    await alice.context.close();
    const aliceCursor = (demo: DemoPage) => demo.page.locator(`[data-testid="remote-cursor"][data-member-id="${aliceId}"]`);
    await expect.poll(() => aliceCursor(bob).count()).toBe(0);
    await expect.poll(() => aliceCursor(dave).count()).toBe(0);
    await expect.poll(() => memberCount(bob.page)).toBe(2);
    expect(await remoteCursors(dave.page).getAttribute('data-member-id')).toBe(String(bobId)); // Bob's stays
    await screenshot(bob.page, 'after-leave-bob');

    for (const demo of [alice, bob, carol, dave]) expect(demo.errors).toEqual([]);
    for (const demo of [bob, carol, dave]) await demo.context.close();
  });

  it('shows a late joiner the cursors already in the room at once (snapshot), without anyone moving', async () => {
    const room = 'snapshot';
    const alice = await open(`room=${room}`);
    const bob = await open(`room=${room}`);
    await expect.poll(() => memberCount(bob.page)).toBe(2);
    const aliceId = await selfId(alice.page);
    const bobId = await selfId(bob.page);
    await alice.page.mouse.move(420, 310, { steps: 5 });
    await bob.page.mouse.move(900, 500, { steps: 5 });
    await expectCursorAt(bob.page, aliceId, { x: 420, y: 310 });
    await expectCursorAt(alice.page, bobId, { x: 900, y: 500 });

    // Bob's pointer leaves his window: an empty latest value clears his cursor on the relay.
    await bob.page.evaluate(() => document.documentElement.dispatchEvent(new PointerEvent('pointerleave', { pointerType: 'mouse' })));
    const bobOnAlice = alice.page.locator(`[data-testid="remote-cursor"][data-member-id="${bobId}"]`);
    await expect.poll(() => bobOnAlice.evaluate((el) => el.classList.contains('is-hidden'))).toBe(true);

    // From now on, count the data frames Alice's page sends: the newcomer must not need any.
    await alice.page.evaluate(() => {
      const w = window as unknown as { dataFramesSent: number };
      w.dataFramesSent = 0;
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
        const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, 1) : data instanceof ArrayBuffer ? new Uint8Array(data) : undefined;
        if (bytes?.[0] === 0x02) w.dataFramesSent++; // 0x02: a data frame (control frames are 0x01)
        send.call(this, data);
      };
    });

    const erin = await open(`room=${room}`);
    await expect.poll(() => memberCount(erin.page)).toBe(3);
    // The relay's snapshot on join carries Alice's position: it is there right away.
    await expect.poll(async () => {
      const tip = await cursorTip(erin.page, aliceId);
      return tip === undefined ? Infinity : Math.hypot(tip.x - 420, tip.y - 310);
    }, { timeout: 2_000, interval: 25 }).toBeLessThanOrEqual(2);
    await screenshot(erin.page, 'late-joiner');
    expect(await alice.page.evaluate(() => (window as unknown as { dataFramesSent: number }).dataFramesSent)).toBe(0);
    // Bob's cleared cursor is not in the snapshot.
    expect(await erin.page.locator(`[data-testid="remote-cursor"][data-member-id="${bobId}"]`).count()).toBe(0);
    expect(await remoteCursors(erin.page).count()).toBe(1);
    // (The frame count is real: Alice's next move is counted, and reaches Erin.)
    await alice.page.mouse.move(600, 400, { steps: 4 });
    await expectCursorAt(erin.page, aliceId, { x: 600, y: 400 });
    expect(await alice.page.evaluate(() => (window as unknown as { dataFramesSent: number }).dataFramesSent)).toBeGreaterThan(0);

    for (const demo of [alice, bob, erin]) expect(demo.errors).toEqual([]);
    for (const demo of [alice, bob, erin]) await demo.context.close();
  });

  it('lines up cursors between windows of different sizes (fractions of the document)', async () => {
    const room = 'sizes';
    const wide = await open(`room=${room}`, { width: 1280, height: 800 });
    const narrow = await open(`room=${room}`, { width: 420, height: 740 }); // stacked layout, scrolls
    await expect.poll(() => memberCount(narrow.page)).toBe(2);
    const wideId = await selfId(wide.page);

    await wide.page.mouse.move(960, 600, { steps: 10 });
    const doc = await documentSize(narrow.page);
    expect(doc.height).toBeGreaterThan(740); // the narrow page really is taller than its window
    await expectCursorAt(narrow.page, wideId, { x: (960 / 1280) * doc.width, y: (600 / 800) * doc.height });

    // Scrolling the narrow page is not blocked and the cursor stays on its spot of the document.
    await narrow.page.mouse.wheel(0, 300);
    await expect.poll(() => narrow.page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    await expectCursorAt(narrow.page, wideId, { x: (960 / 1280) * doc.width, y: (600 / 800) * doc.height });
    await screenshot(narrow.page, 'narrow-window');

    for (const demo of [wide, narrow]) expect(demo.errors).toEqual([]);
    await wide.context.close();
    await narrow.context.close();
  });

  it('works with touch: a tap shows the cursor and a ripple on the other page', async () => {
    const room = 'touch';
    const phone = await open(`room=${room}`, { width: 390, height: 780 }, true);
    const desktop = await open(`room=${room}`);
    await expect.poll(() => memberCount(desktop.page)).toBe(2);
    const phoneId = await selfId(phone.page);

    await phone.page.touchscreen.tap(200, 120); // on the stage
    const doc = await documentSize(phone.page);
    const desktopDoc = await documentSize(desktop.page);
    await expectCursorAt(desktop.page, phoneId, { x: (200 / doc.width) * desktopDoc.width, y: (120 / doc.height) * desktopDoc.height });
    await desktop.page.locator('[data-testid="ripple"]').first().waitFor({ state: 'attached', timeout: 10_000 });

    for (const demo of [phone, desktop]) expect(demo.errors).toEqual([]);
    await phone.context.close();
    await desktop.context.close();
  });
});
