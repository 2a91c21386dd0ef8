// What the page tells a newcomer, in real Chromium against a real relay: a notice when `?room=`
// is not a valid name, what Roomcast is (with a link), a labelled traffic meter that stays on
// phones, and distinct colours for members who arrive with the same one.
import { describe, expect, it } from 'vitest';
import { PALETTE } from '../src/identity.js';
import { memberCount, screenshot, uniqueRoom, useDemo, waitLive, type DemoPage } from './browser.js';

const app = useDemo();

const PHONE = { width: 390, height: 844 };

const open = (query: string, viewport?: { width: number; height: number }): Promise<DemoPage> => app.open(query, viewport);

describe('invalid ?room=', () => {
  it.each([
    ['café', 'caf%C3%A9', '"café" is not a valid room name'],
    ['a b', 'a%20b', '"a b" is not a valid room name'],
    ['200 characters', 'r'.repeat(200), `"${'r'.repeat(40)}…" (200 characters) is not a valid room name`],
  ])('%s: a visible notice names the value and the rule; the page is in a new room', async (_what, param, quoted) => {
    const demo = await open(`room=${param}`);
    const notice = demo.page.getByTestId('room-notice');
    expect(await notice.isVisible()).toBe(true);
    const text = (await notice.textContent()) ?? '';
    const newRoom = new URL(demo.page.url()).searchParams.get('room')!;
    expect(newRoom).toMatch(/^[a-z]+-[a-z]+-\d{3}$/);
    expect(text).toBe(`${quoted}: room names are 1 to 128 printable ASCII characters, without spaces or accents.`
      + ` You are in a new room, ${newRoom}, instead; share its link to invite others.`);
    expect(await demo.page.locator('#room-name').textContent()).toBe(newRoom);
    expect(await notice.getAttribute('role')).toBe('alert');
    if (param.length === 200) await screenshot(demo.page, 'invalid-room-notice');
    expect(demo.errors).toEqual([]);
    await demo.context.close();
  });

  it('a valid room shows no notice', async () => {
    const demo = await open(`room=${uniqueRoom('valid')}`);
    expect(await demo.page.getByTestId('room-notice').isVisible()).toBe(false);
    await demo.context.close();
  });
});

describe('what the page says about itself', () => {
  it('says what Roomcast is and links to the project, on desktop and on a phone', async () => {
    for (const viewport of [undefined, PHONE]) {
      const demo = await open(`room=${uniqueRoom('about')}`, viewport);
      const about = demo.page.getByTestId('about');
      await about.scrollIntoViewIfNeeded();
      expect(await about.isVisible()).toBe(true);
      expect(await about.textContent()).toContain('Roomcast is an open-source real-time relay for multiplayer apps');
      const link = demo.page.getByTestId('project-link');
      expect(await link.isVisible()).toBe(true);
      expect(await link.getAttribute('href')).toMatch(/^https:\/\/github\.com\/.+/);
      await demo.context.close();
    }
  });

  it('labels the traffic meter (up and down, bytes per second) and shows it on a 390x844 phone', async () => {
    for (const viewport of [{ width: 1280, height: 800 }, PHONE]) {
      const demo = await open(`room=${uniqueRoom('meter')}`, viewport);
      for (const [id, label] of [['traffic-up', 'up'], ['traffic-down', 'down']] as const) {
        const item = demo.page.getByTestId(id);
        expect(await item.isVisible(), `${id} at ${viewport.width}px`).toBe(true);
        expect(await item.innerText()).toMatch(new RegExp(`^↑?↓?\\s*${label}\\s+\\d+(\\.\\d)? (B|kB|MB)/s$`, 'i'));
        const box = await item.boundingBox();
        // Inside the viewport, not clipped off the side.
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
        expect(box!.height).toBeGreaterThan(0);
      }
      // On the phone the meter does not push the status pill off the screen either.
      const status = await demo.page.getByTestId('status').boundingBox();
      expect(status!.x + status!.width).toBeLessThanOrEqual(viewport.width);
      if (viewport === PHONE) await screenshot(demo.page, 'phone-390x844');
      expect(demo.errors).toEqual([]);
      await demo.context.close();
    }
  });
});

describe('member colours', () => {
  it('three visitors who arrive with the same saved colour get three different colours', async () => {
    const room = uniqueRoom('colours');
    const blue = PALETTE.find((p) => p.label === 'Blue')!.color;
    const demos: DemoPage[] = [];
    for (const name of ['Ann', 'Ben', 'Cy']) {
      const context = await app.browser.newContext({ viewport: { width: 1000, height: 700 } });
      // A saved identity with the same colour in every visitor's storage (not picked by hand).
      await context.addInitScript(([n, c]) => {
        localStorage.setItem('roomcast-demo:identity', JSON.stringify({ name: n, color: c }));
      }, [name, blue] as const);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${app.relay.httpUrl}/?room=${room}`);
      await waitLive(page);
      demos.push({ page, context, errors });
    }
    const colours = async (demo: DemoPage) => demo.page.locator('[data-testid="member-list"] .member-dot')
      .evaluateAll((dots) => dots.map((d) => (d as HTMLElement).style.getPropertyValue('--cursor-color')).sort());
    for (const demo of demos) await expect.poll(() => memberCount(demo.page)).toBe(3);
    // Every page ends up listing three different colours, and all pages agree.
    for (const demo of demos) await expect.poll(async () => new Set(await colours(demo)).size, { timeout: 10_000 }).toBe(3);
    const seen = await Promise.all(demos.map(colours));
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(seen[0]).toContain(blue); // the first visitor kept the colour
    for (const demo of demos) expect(demo.errors).toEqual([]);
    for (const demo of demos) await demo.context.close();
  });

  it('a colour picked by hand is kept even when someone else wears it', async () => {
    const room = uniqueRoom('picked');
    const first = await open(`room=${room}`);
    const second = await open(`room=${room}`);
    await expect.poll(() => memberCount(second.page)).toBe(2);
    // click(), as a person does: check() does nothing when the page already chose Rose for that
    // tab, and then the colour was never picked by hand (the old flake).
    await first.page.getByRole('radio', { name: 'Rose' }).click();
    await second.page.getByRole('radio', { name: 'Rose' }).click();
    const rose = PALETTE.find((p) => p.label === 'Rose')!.color;
    const colours = () => second.page.locator('[data-testid="member-list"] .member-dot')
      .evaluateAll((dots) => dots.map((d) => (d as HTMLElement).style.getPropertyValue('--cursor-color')));
    await expect.poll(colours).toEqual([rose, rose]);
    await first.context.close();
    await second.context.close();
  });

  it('clicking the swatch the page already chose for you also keeps it', async () => {
    const room = uniqueRoom('reclick');
    const blue = PALETTE.find((p) => p.label === 'Blue')!.color;
    const rose = PALETTE.find((p) => p.label === 'Rose')!.color;
    const withColour = async (color: string): Promise<DemoPage> => {
      const context = await app.browser.newContext({ viewport: { width: 1000, height: 700 } });
      await context.addInitScript((c) => {
        localStorage.setItem('roomcast-demo:identity', JSON.stringify({ name: 'Ann', color: c }));
      }, color);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${app.relay.httpUrl}/?room=${room}`);
      await waitLive(page);
      return { page, context, errors };
    };
    const first = await withColour(blue);
    const second = await withColour(rose); // a saved colour, not picked by hand: Rose is checked
    await expect.poll(() => memberCount(first.page)).toBe(2);
    expect(await second.page.getByRole('radio', { name: 'Rose' }).isChecked()).toBe(true);
    await second.page.getByRole('radio', { name: 'Rose' }).click(); // already checked: no 'change' event
    await first.page.getByRole('radio', { name: 'Rose' }).check();
    const colours = (demo: DemoPage) => demo.page.locator('[data-testid="member-list"] .member-dot')
      .evaluateAll((dots) => dots.map((d) => (d as HTMLElement).style.getPropertyValue('--cursor-color')));
    await expect.poll(() => colours(first)).toEqual([rose, rose]);
    await expect.poll(() => colours(second)).toEqual([rose, rose]);
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    await first.context.close();
    await second.context.close();
  });
});
