// Helpers for the browser tests: a system Chromium through playwright-core (never a downloaded
// browser), an in-process relay serving the built page, and pages that record console errors.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startRelay, parseConfig, type RelayServer } from '@roomcast/relay';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { requireTool } from '../../../scripts/provision.mjs';
export { freePort } from '../../../scripts/ports.mjs';

/** Screenshots land here (git-ignored; CI can keep them as artifacts). */
export const RESULTS_DIR = fileURLToPath(new URL('../test-results/', import.meta.url));

/**
 * Headless Chromium: `CHROMIUM_PATH`, else chromium (or chromium-browser, google-chrome) on PATH.
 * The root `pnpm test` installs Debian's package first when it can; without one this throws the
 * exact command to run. `launch()` gives every browser a fresh temporary user-data dir (Playwright
 * refuses a --user-data-dir argument here), so no profile state leaks between runs.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireTool('chromium'),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A relay on 127.0.0.1 serving the demo built by the global setup. `port` 0 picks a free one.
 * The raw-TCP listener is off: the page only speaks WebSocket, and a fixed TCP port would clash.
 */
export function startDemoRelay(port = 0): Promise<RelayServer> {
  return startRelay({
    config: parseConfig({ TCP_PORT: 'off' }),
    overrides: { host: '127.0.0.1', port, logLevel: 'silent', staticDir: inject('demoDist') },
  });
}

/**
 * One demo relay and one Chromium for the whole test file (started in beforeAll, closed in
 * afterAll), like the relay tests' useRelay. `open(query)` opens `/?query` in its own context and
 * waits until the page is live.
 */
export function useDemo() {
  let relay: RelayServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    relay = await startDemoRelay();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.close();
  });
  const fixture = {
    get relay(): RelayServer { return relay!; },
    get browser(): Browser { return browser!; },
    async open(query: string, viewport?: { width: number; height: number }, options: { hasTouch?: boolean } = {}): Promise<DemoPage> {
      const demo = await openDemo(fixture.browser, `${fixture.relay.httpUrl}/?${query}`, viewport, options);
      await waitLive(demo.page);
      return demo;
    },
  };
  return fixture;
}

export interface DemoPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen on this page. */
  errors: string[];
}

/** Opens the demo in its own browser context (own storage, like a separate visitor). */
export async function openDemo(
  browser: Browser, url: string, viewport = { width: 1280, height: 800 }, options: { hasTouch?: boolean } = {},
): Promise<DemoPage> {
  const context = await browser.newContext({ viewport, hasTouch: options.hasTouch ?? false });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  await page.goto(url);
  return { page, context, errors };
}

/** Waits until the page shows the connection as live. */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="status"][data-state="live"]').waitFor({ timeout: 15_000 });
}

/** The member id this page has in its room (from its own entry in the member list). */
export async function selfId(page: Page): Promise<number> {
  const id = await page.locator('[data-testid="member-list"] li:has(.member-you)').getAttribute('data-member-id');
  return Number(id);
}

export function memberCount(page: Page): Promise<number> {
  return page.locator('[data-testid="member-list"] li').count();
}

export function remoteCursors(page: Page) {
  return page.locator('[data-testid="remote-cursor"]');
}

/** Where a remote cursor's arrow tip is drawn, in page pixels. */
export async function cursorTip(page: Page, memberId: number): Promise<{ x: number; y: number } | undefined> {
  const cursor = page.locator(`[data-testid="remote-cursor"][data-member-id="${memberId}"]`);
  if ((await cursor.count()) === 0) return undefined;
  return cursor.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + window.scrollX, y: r.top + window.scrollY };
  });
}

/** Polls until member `memberId`'s cursor on `page` is within `tolerance` px of `expected`. */
export async function expectCursorAt(page: Page, memberId: number, expected: { x: number; y: number }, tolerance = 2): Promise<void> {
  await expect.poll(async () => {
    const tip = await cursorTip(page, memberId);
    return tip === undefined ? Infinity : Math.hypot(tip.x - expected.x, tip.y - expected.y);
  }, { timeout: 10_000, interval: 50 }).toBeLessThanOrEqual(tolerance);
}

/** The page's document size, as the demo measures it (scroll size, at least the viewport). */
export function documentSize(page: Page): Promise<{ width: number; height: number }> {
  return page.evaluate(() => ({
    width: Math.max(document.documentElement.scrollWidth, document.documentElement.clientWidth),
    height: Math.max(document.documentElement.scrollHeight, document.documentElement.clientHeight),
  }));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${name}.png`;
  await page.screenshot({ path });
  return path;
}

/** A room name no other test uses. */
export function uniqueRoom(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
