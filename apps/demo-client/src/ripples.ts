// Click ripples: an expanding ring in the clicker's colour, removed when its animation ends.
import type { Point } from './coords.js';

const RIPPLE_MS = 700;

/** Draws a ripple at `page` (page pixels) in `layer` (the fixed cursor layer). */
export function spawnRipple(layer: HTMLElement, page: Point, color: string): void {
  const el = document.createElement('div');
  el.className = 'ripple';
  el.dataset.testid = 'ripple';
  el.setAttribute('aria-hidden', 'true');
  el.style.setProperty('--cursor-color', color);
  el.style.left = `${page.x - window.scrollX}px`;
  el.style.top = `${page.y - window.scrollY}px`;
  layer.append(el);
  // animationend does not fire when animations are disabled (reduced motion): a timer backs it up.
  const done = (): void => el.remove();
  el.addEventListener('animationend', done, { once: true });
  setTimeout(done, RIPPLE_MS + 100);
}
