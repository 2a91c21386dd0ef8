// Images dropped on the page, shared with the room through `@roomcast/client/files`: every tab
// shows them in a tray, each with a progress ring while its bytes travel (sending or receiving),
// then the image. Only images are shown; other incoming files are declined.
import type { Room } from '@roomcast/client';
import { roomFiles, type IncomingFile, type OutgoingFile } from '@roomcast/client/files';

/** Larger images are refused (sending) or declined (receiving): a demo, not a file host. */
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024;
const RING_RADIUS = 18;
const RING_LENGTH = 2 * Math.PI * RING_RADIUS;
const SVG = 'http://www.w3.org/2000/svg';

/** One image in the tray: its ring, caption and, once complete, the picture. */
export class FileCard {
  readonly el: HTMLElement;
  readonly #ring: SVGCircleElement;
  readonly #percent: HTMLElement;

  constructor(tray: HTMLElement, name: string, caption: string, direction: 'sending' | 'receiving') {
    this.el = document.createElement('figure');
    this.el.className = 'shared-file';
    this.el.dataset.testid = 'shared-file';
    this.el.dataset.state = direction;
    this.el.dataset.progress = '0';
    this.el.title = name;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'progress-ring');
    svg.setAttribute('viewBox', '0 0 44 44');
    svg.setAttribute('aria-hidden', 'true');
    const track = document.createElementNS(SVG, 'circle');
    this.#ring = document.createElementNS(SVG, 'circle');
    for (const [c, cls] of [[track, 'ring-track'], [this.#ring, 'ring-bar']] as const) {
      c.setAttribute('class', cls);
      c.setAttribute('cx', '22');
      c.setAttribute('cy', '22');
      c.setAttribute('r', String(RING_RADIUS));
      svg.append(c);
    }
    this.#ring.style.strokeDasharray = String(RING_LENGTH);
    this.#percent = document.createElement('span');
    this.#percent.className = 'ring-text';
    const text = document.createElement('figcaption');
    text.textContent = caption;
    this.el.append(svg, this.#percent, text);
    this.progress(0);
    tray.prepend(this.el);
  }

  /** `p` in 0..1. */
  progress(p: number): void {
    this.el.dataset.progress = p.toFixed(3);
    this.#ring.style.strokeDashoffset = String(RING_LENGTH * (1 - p));
    this.#percent.textContent = `${Math.floor(p * 100)}%`;
  }

  show(image: Blob): void {
    this.progress(1);
    const img = document.createElement('img');
    img.alt = this.el.title;
    img.src = URL.createObjectURL(image);
    this.el.prepend(img);
    this.el.dataset.state = 'done';
  }

  failed(why: string): void {
    this.el.dataset.state = 'failed';
    this.#percent.textContent = '✕';
    this.el.title = `${this.el.title}: ${why}`;
  }
}

/** Wires a room's file transfers to the tray. `who(id)` names a member. Returns an unbind function. */
export function bindSharedFiles(tray: HTMLElement, room: Room, who: (id: number) => string): () => void {
  const files = roomFiles(room, { maxFileBytes: MAX_IMAGE_BYTES });
  const cards = new Map<IncomingFile, FileCard>();
  const offs = [
    files.on('file_start', (file) => {
      if (!file.type.startsWith('image/')) return file.cancel();
      cards.set(file, new FileCard(tray, file.name, `${file.name} · from ${who(file.sender)}`, 'receiving'));
    }),
    files.on('file_progress', (file) => cards.get(file)?.progress(file.size === 0 ? 1 : file.received / file.size)),
    files.on('file_end', ({ file, bytes }) => {
      cards.get(file)?.show(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: file.type }));
      cards.delete(file);
    }),
    files.on('file_cancel', ({ file, error }) => {
      cards.get(file)?.failed(error.reason);
      cards.delete(file);
    }),
  ];
  return () => { for (const off of offs) off(); };
}

/** Sends `image` to the room and shows it in the tray with the upload's progress. */
export function shareImage(tray: HTMLElement, room: Room, image: File): void {
  if (!image.type.startsWith('image/') || image.size > MAX_IMAGE_BYTES) return;
  const card = new FileCard(tray, image.name, `${image.name} · you`, 'sending');
  let file: OutgoingFile;
  try {
    file = roomFiles(room, { maxFileBytes: MAX_IMAGE_BYTES }).sendFile(image, { name: image.name, type: image.type });
  } catch (err) {
    return card.failed(String(err));
  }
  const off = roomFiles(room).on('send_progress', (f) => {
    if (f === file) card.progress(file.size === 0 ? 1 : file.sent / file.size);
  });
  file.done.then(() => card.show(image), (err: { reason?: string }) => card.failed(err.reason ?? String(err))).finally(off);
}

/** Calls `onImages` with the images dropped anywhere on the page, and highlights the page while dragging. */
export function listenForDrops(onImages: (images: File[]) => void): void {
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') === true;
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    document.body.classList.add('is-dragging');
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) document.body.classList.remove('is-dragging');
  });
  document.addEventListener('drop', (e) => {
    document.body.classList.remove('is-dragging');
    if (!hasFiles(e)) return;
    e.preventDefault();
    const images = [...(e.dataTransfer?.files ?? [])].filter((f) => f.type.startsWith('image/'));
    if (images.length > 0) onImages(images);
  });
}
