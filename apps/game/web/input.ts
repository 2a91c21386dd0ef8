// The page's controls: keyboard (arrows/WASD, Space to dash) and touch (drag from where the
// finger landed to steer, double-tap to dash). Produces an axis pair in -100..100.
import { AXIS_MAX } from '../src/shared/wire.js';

export class Controls {
  dx = 0;
  dy = 0;
  readonly #keys = new Set<string>();
  #touch: { id: number; x: number; y: number } | undefined;
  #lastTap = 0;

  constructor(surface: HTMLElement, private readonly onDash: () => void) {
    window.addEventListener('keydown', (e) => {
      if (e.code === 'Space') {
        if (!e.repeat) this.onDash();
        e.preventDefault();
        return;
      }
      if (KEYS[e.code] === undefined) return;
      this.#keys.add(e.code);
      this.#fromKeys();
      e.preventDefault();
    });
    window.addEventListener('keyup', (e) => {
      this.#keys.delete(e.code);
      this.#fromKeys();
    });
    window.addEventListener('blur', () => {
      this.#keys.clear();
      this.#fromKeys();
    });
    surface.addEventListener('touchstart', (e) => {
      const t = e.changedTouches[0]!;
      const now = performance.now();
      if (now - this.#lastTap < 300) this.onDash();
      this.#lastTap = now;
      this.#touch = { id: t.identifier, x: t.clientX, y: t.clientY };
      e.preventDefault();
    }, { passive: false });
    surface.addEventListener('touchmove', (e) => {
      const t = [...e.changedTouches].find((c) => c.identifier === this.#touch?.id);
      if (t === undefined || this.#touch === undefined) return;
      // 60 px of drag is full speed.
      this.dx = clampAxis(((t.clientX - this.#touch.x) / 60) * AXIS_MAX);
      this.dy = clampAxis(((t.clientY - this.#touch.y) / 60) * AXIS_MAX);
      e.preventDefault();
    }, { passive: false });
    const end = (e: TouchEvent) => {
      if ([...e.changedTouches].some((c) => c.identifier === this.#touch?.id)) {
        this.#touch = undefined;
        this.dx = 0;
        this.dy = 0;
      }
    };
    surface.addEventListener('touchend', end);
    surface.addEventListener('touchcancel', end);
  }

  #fromKeys(): void {
    let dx = 0;
    let dy = 0;
    for (const code of this.#keys) {
      const [x, y] = KEYS[code]!;
      dx += x;
      dy += y;
    }
    this.dx = Math.sign(dx) * AXIS_MAX;
    this.dy = Math.sign(dy) * AXIS_MAX;
  }
}

const KEYS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0], KeyA: [-1, 0], ArrowRight: [1, 0], KeyD: [1, 0],
  ArrowUp: [0, -1], KeyW: [0, -1], ArrowDown: [0, 1], KeyS: [0, 1],
};

function clampAxis(v: number): number {
  return Math.round(Math.max(-AXIS_MAX, Math.min(AXIS_MAX, v)));
}
