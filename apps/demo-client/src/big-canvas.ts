// The big-canvas mode of the page (`?canvas=big`): a 4096 x 4096 px world under the page's
// controls, cut into interest-group cells (interest.ts), with a debug view: the grid with each
// cell's group id, the cells this tab subscribes to highlighted, and a box listing them with the
// number of cursors this tab receives. The tab subscribes to what its window shows (on scroll
// and resize) and its cursor goes to the cell it is in.
import type { Room } from '@roomcast/client';
import type { Point, Size } from './coords.js';
import { GRID, WORLD_PX, cellAt, cellsInView, sameCells } from './interest.js';

export class BigCanvas {
  readonly #cells = new Map<number, HTMLElement>();
  readonly #groupsText: HTMLElement;
  readonly #cellText: HTMLElement;
  readonly #cursorsText: HTMLElement;
  #view: number[] = [];
  #group: number | undefined;
  #room: Room | undefined;

  constructor(body: HTMLElement) {
    body.classList.add('big-canvas');
    const world = document.createElement('div');
    world.className = 'world';
    world.dataset.testid = 'world';
    world.style.setProperty('--world-px', `${WORLD_PX}px`);
    const cell = WORLD_PX / GRID;
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        const el = document.createElement('div');
        const group = 1 + r * GRID + c;
        el.className = 'world-cell';
        el.dataset.group = String(group);
        el.style.cssText = `left:${c * cell}px;top:${r * cell}px;width:${cell}px;height:${cell}px`;
        el.textContent = `group ${group}`;
        world.append(el);
        this.#cells.set(group, el);
      }
    }
    const debug = document.createElement('p');
    debug.className = 'interest-debug';
    debug.dataset.testid = 'interest-debug';
    debug.innerHTML = 'Interest groups <b data-testid="interest-groups"></b> · your cell <b data-testid="interest-cell">–</b> · cursors here <b data-testid="interest-cursors">0</b>';
    this.#groupsText = debug.querySelector('[data-testid="interest-groups"]')!;
    this.#cellText = debug.querySelector('[data-testid="interest-cell"]')!;
    this.#cursorsText = debug.querySelector('[data-testid="interest-cursors"]')!;
    body.prepend(world);
    body.append(debug);
    window.addEventListener('scroll', () => this.refresh(), { passive: true });
    window.addEventListener('resize', () => this.refresh());
    this.refresh();
  }

  /** The document size every tab shares in this mode. */
  static size(): Size {
    return { width: WORLD_PX, height: WORLD_PX };
  }

  /** The group the local cursor is in (undefined while it is off the page). */
  get group(): number | undefined {
    return this.#group;
  }

  /** The local pointer is at `normal` (fractions of the world). */
  moveTo(normal: Point): void {
    this.#group = cellAt(normal);
    this.#cellText.textContent = String(this.#group);
  }

  /** The room to subscribe in (after a join or rejoin, whose connection knows no interest yet). */
  bind(room: Room | undefined): void {
    this.#room = room;
    this.#subscribe();
  }

  /** How many remote cursors this tab shows (the debug box). */
  showCursors(count: number): void {
    this.#cursorsText.textContent = String(count);
  }

  /** Recomputes the cells in the window; subscribes again when they changed. */
  refresh(): void {
    const view = cellsInView({ x: window.scrollX, y: window.scrollY, width: window.innerWidth, height: window.innerHeight }, BigCanvas.size());
    if (sameCells(view, this.#view)) return;
    for (const [group, el] of this.#cells) el.classList.toggle('is-subscribed', view.includes(group));
    this.#view = view;
    this.#groupsText.textContent = view.join(', ');
    this.#subscribe();
  }

  #subscribe(): void {
    const room = this.#room;
    if (room === undefined || !room.joined) return;
    room.setInterest(this.#view).catch((err: unknown) => {
      // A relay without groups (a cluster, say) or a dropped connection: say so in the debug box;
      // a rejoin calls bind() again.
      this.#groupsText.textContent = `${this.#view.join(', ')} (not subscribed: ${(err as Error).message})`;
    });
  }
}
