// Dropping an image on the demo page in real Chromium against a real relay: every other tab in
// the room shows it with a progress ring that fills while the bytes arrive, then the image,
// byte-identical to what was dropped; a tab in another room sees nothing.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { memberCount, screenshot, uniqueRoom, useDemo, type DemoPage } from './browser.js';

const app = useDemo();

const open = (room: string): Promise<DemoPage> => app.open(`room=${room}`);

/**
 * Draws noise on a canvas (PNG barely compresses it: about 600 kB, a few seconds at the relay's
 * default 256 KiB/s budget), drops it on the stage as a real File, and returns its size and SHA-256.
 */
function dropNoiseImage(page: Page): Promise<{ size: number; sha: string }> {
  return page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 480;
    canvas.height = 320;
    const ctx = canvas.getContext('2d')!;
    const pixels = ctx.createImageData(canvas.width, canvas.height);
    for (let at = 0; at < pixels.data.length; at += 65536) crypto.getRandomValues(pixels.data.subarray(at, at + 65536));
    for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
    ctx.putImageData(pixels, 0, 0);
    const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
    const file = new File([blob], 'noise.png', { type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(file);
    const stage = document.getElementById('stage')!;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      stage.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    return { size: blob.size, sha: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('') };
  });
}

/** SHA-256 and natural size of the image shown in the first card of `page`. */
function shownImage(page: Page): Promise<{ sha: string; width: number; height: number }> {
  return page.locator('[data-testid="shared-file"] img').first().evaluate(async (img: HTMLImageElement) => {
    await img.decode();
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return {
      sha: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''),
      width: img.naturalWidth,
      height: img.naturalHeight,
    };
  });
}

const progressOf = async (page: Page) => Number(await page.locator('[data-testid="shared-file"]').first().getAttribute('data-progress'));

describe('sharing an image by dropping it on the page', () => {
  it('shows it in every tab of the room with a progress ring, byte-identical', async () => {
    const room = uniqueRoom('photos');
    const [alice, bob, carol] = [await open(room), await open(room), await open(room)];
    const other = await open(uniqueRoom('elsewhere'));
    for (const demo of [alice, bob, carol]) await expect.poll(() => memberCount(demo.page)).toBe(3);

    const dropped = await dropNoiseImage(alice.page);
    expect(dropped.size).toBeGreaterThan(400_000);

    // Mid-transfer: a card with a ring that is partly filled, on each receiving tab.
    for (const demo of [bob, carol]) {
      const card = demo.page.locator('[data-testid="shared-file"]').first();
      await card.waitFor({ timeout: 15_000 });
      expect(await card.locator('figcaption').textContent()).toMatch(/^noise\.png · from /);
      expect(await card.locator('.progress-ring').isVisible()).toBe(true);
    }
    await expect.poll(() => progressOf(bob.page), { timeout: 15_000, interval: 50 }).toBeGreaterThan(0);
    const midway = await progressOf(carol.page);
    expect(midway).toBeLessThan(1);
    await screenshot(bob.page, 'shared-image-progress');

    // Done: the ring gives way to the image, the same bytes that were dropped.
    for (const demo of [bob, carol, alice]) {
      await demo.page.locator('[data-testid="shared-file"][data-state="done"]').first().waitFor({ timeout: 30_000 });
      expect(await progressOf(demo.page)).toBe(1);
      expect(await shownImage(demo.page)).toEqual({ sha: dropped.sha, width: 480, height: 320 });
    }
    await screenshot(bob.page, 'shared-image-done');
    expect(await other.page.locator('[data-testid="shared-file"]').count()).toBe(0);
    for (const demo of [alice, bob, carol, other]) {
      expect(demo.errors).toEqual([]);
      await demo.context.close();
    }
  });
});
