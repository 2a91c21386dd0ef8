// Remote cursors: one element per member who has sent a position, drawn every animation frame
// at its interpolated position (document fractions → this page's pixels). Idle cursors fade,
// then hide; cursors of members who leave are removed.
import { normalToPage, type Point, type Size } from './coords.js';
import { textColorOn, type Identity } from './identity.js';
import { Interpolator } from './interpolation.js';

/** After this long without a position a cursor dims. */
export const IDLE_AFTER_MS = 5_000;
/** After this long without a position a cursor fades out completely. */
export const AWAY_AFTER_MS = 30_000;

const SVG_NS = 'http://www.w3.org/2000/svg';
const ARROW_PATH = 'M1 1 L1 17.5 L5.6 13.3 L8.8 20.4 L11.9 19 L8.8 12.2 L15 12.2 Z';

interface Cursor {
  el: HTMLElement;
  label: HTMLElement;
  motion: Interpolator;
  hidden: boolean;
  state: '' | 'idle' | 'away';
  flipped: boolean;
}

/** Closer than this to the right edge, a cursor's label goes to the left of the arrow. */
const FLIP_MARGIN_PX = 160;

export class RemoteCursors {
  readonly #layer: HTMLElement;
  readonly #docSize: () => Size;
  readonly #cursors = new Map<number, Cursor>();
  #frame = 0;

  /** `layer` is a fixed, full-viewport, pointer-events:none element. */
  constructor(layer: HTMLElement, docSize: () => Size) {
    this.#layer = layer;
    this.#docSize = docSize;
  }

  /** Number of cursors drawn (for tests and the empty-state hint). */
  get size(): number {
    return this.#cursors.size;
  }

  /** A position (document fractions) from member `id`, received at `now`. */
  move(id: number, identity: Identity, position: Point, now: number): void {
    let cursor = this.#cursors.get(id);
    if (cursor === undefined) {
      cursor = this.#create(id, identity);
      cursor.motion.jump(now, position);
    } else if (cursor.hidden) {
      cursor.motion.jump(now, position); // reappearing: no glide from where it left the page
    } else {
      cursor.motion.push(now, position);
    }
    cursor.hidden = false;
    cursor.el.classList.remove('is-hidden');
    this.#schedule();
  }

  /** Member `id`'s pointer left its page. */
  hide(id: number): void {
    const cursor = this.#cursors.get(id);
    if (cursor === undefined) return;
    cursor.hidden = true;
    cursor.el.classList.add('is-hidden');
  }

  /** Member `id` changed name or colour. */
  update(id: number, identity: Identity): void {
    const cursor = this.#cursors.get(id);
    if (cursor !== undefined) this.#paint(cursor, identity);
  }

  /** Member `id` left. */
  remove(id: number): void {
    this.#cursors.get(id)?.el.remove();
    this.#cursors.delete(id);
  }

  /** Removes every cursor (after a resync, member ids are new). */
  clear(): void {
    for (const id of [...this.#cursors.keys()]) this.remove(id);
  }

  /** Places every cursor for time `now`. The element's top-left corner is the arrow's tip. */
  #draw(now: number): void {
    const doc = this.#docSize();
    const scrollX = window.scrollX;
    const scrollY = window.scrollY;
    const flipAt = this.#layer.clientWidth - FLIP_MARGIN_PX;
    for (const cursor of this.#cursors.values()) {
      const p = cursor.motion.at(now);
      if (p === undefined) continue;
      const page = normalToPage(p, doc);
      const x = page.x - scrollX;
      cursor.el.style.transform = `translate3d(${x.toFixed(1)}px, ${(page.y - scrollY).toFixed(1)}px, 0)`;
      if (x > flipAt !== cursor.flipped) {
        cursor.flipped = !cursor.flipped;
        cursor.el.classList.toggle('is-flipped', cursor.flipped);
      }
      const quiet = now - cursor.motion.lastSampleAt;
      const state = quiet > AWAY_AFTER_MS ? 'away' : quiet > IDLE_AFTER_MS ? 'idle' : '';
      if (state !== cursor.state) {
        cursor.el.classList.toggle('is-idle', state === 'idle');
        cursor.el.classList.toggle('is-away', state === 'away');
        cursor.state = state;
      }
    }
  }

  #schedule(): void {
    if (this.#frame !== 0) return;
    const tick = (now: number): void => {
      this.#draw(now);
      // Keep drawing while cursors exist: scrolling and resizing move them too, and idle
      // fading is driven from here. The work is a few style writes per frame.
      this.#frame = this.#cursors.size > 0 ? requestAnimationFrame(tick) : 0;
    };
    this.#frame = requestAnimationFrame(tick);
  }

  #create(id: number, identity: Identity): Cursor {
    const el = document.createElement('div');
    el.className = 'cursor';
    el.dataset.testid = 'remote-cursor';
    el.dataset.memberId = String(id);
    el.setAttribute('aria-hidden', 'true');
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'cursor-arrow');
    svg.setAttribute('viewBox', '0 0 16 22');
    svg.setAttribute('width', '16');
    svg.setAttribute('height', '22');
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ARROW_PATH);
    svg.append(path);
    const label = document.createElement('span');
    label.className = 'cursor-label';
    el.append(svg, label);
    this.#layer.append(el);
    const cursor: Cursor = { el, label, motion: new Interpolator(), hidden: false, state: '', flipped: false };
    this.#paint(cursor, identity);
    this.#cursors.set(id, cursor);
    return cursor;
  }

  #paint(cursor: Cursor, identity: Identity): void {
    cursor.el.style.setProperty('--cursor-color', identity.color);
    cursor.el.style.setProperty('--cursor-text', textColorOn(identity.color));
    cursor.label.textContent = identity.name;
  }
}
