// Draws the arena on a canvas: players as discs with their names, "it" in red, away players
// faded, dash puffs as fading rings.
import { ARENA_SIZE, PLAYER_RADIUS } from '../src/shared/rules.js';
import { Flags, type PlayerState } from '../src/shared/wire.js';

const PUFF_MS = 400;

export interface Puff {
  x: number;
  y: number;
  at: number;
}

export function colorOf(id: number): string {
  return `hsl(${(id * 137) % 360} 65% 48%)`;
}

export function draw(
  canvas: HTMLCanvasElement, players: PlayerState[], view: { self: number; it: number; names: Map<number, string>; puffs: Puff[]; now: number },
): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const scale = canvas.width / ARENA_SIZE;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.save();
  ctx.scale(scale, scale);
  ctx.strokeStyle = '#eef0f4';
  ctx.lineWidth = 2;
  for (let g = 100; g < ARENA_SIZE; g += 100) {
    ctx.beginPath();
    ctx.moveTo(g, 0);
    ctx.lineTo(g, ARENA_SIZE);
    ctx.moveTo(0, g);
    ctx.lineTo(ARENA_SIZE, g);
    ctx.stroke();
  }
  for (const puff of view.puffs) {
    const age = (view.now - puff.at) / PUFF_MS;
    if (age >= 1) continue;
    ctx.strokeStyle = `rgba(80, 90, 110, ${1 - age})`;
    ctx.beginPath();
    ctx.arc(puff.x, puff.y, PLAYER_RADIUS * (1 + age * 2), 0, Math.PI * 2);
    ctx.stroke();
  }
  ctx.font = '22px system-ui, sans-serif';
  ctx.textAlign = 'center';
  for (const p of players) {
    ctx.globalAlpha = (p.flags & Flags.away) !== 0 ? 0.3 : 1;
    ctx.fillStyle = colorOf(p.id);
    ctx.beginPath();
    ctx.arc(p.x, p.y, PLAYER_RADIUS, 0, Math.PI * 2);
    ctx.fill();
    if (p.id === view.it) {
      ctx.lineWidth = 7;
      ctx.strokeStyle = (p.flags & Flags.frozen) !== 0 ? '#f4a3a3' : '#d62828';
      ctx.stroke();
    }
    if (p.id === view.self) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#1d1f24';
      ctx.beginPath();
      ctx.arc(p.x, p.y, PLAYER_RADIUS + 8, 0, Math.PI * 2);
      ctx.stroke();
    }
    ctx.fillStyle = '#1d1f24';
    // Labels stay inside the arena near the walls (a name is up to 24 characters).
    const label = view.names.get(p.id) ?? `#${p.id}`;
    const half = ctx.measureText(label).width / 2 + 4;
    ctx.fillText(label, Math.min(Math.max(p.x, half), ARENA_SIZE - half), p.y < 60 ? p.y + PLAYER_RADIUS + 30 : p.y - PLAYER_RADIUS - 12);
  }
  ctx.restore();
  view.puffs.splice(0, view.puffs.length, ...view.puffs.filter((p) => view.now - p.at < PUFF_MS));
}
