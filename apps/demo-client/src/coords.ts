// Coordinate mapping for shared cursors: page pixels ↔ normalised document fractions ↔ u16.
// Positions travel as fractions of the document's scroll size, so windows of different sizes
// put a cursor on the same relative spot of the page. Pure functions (unit-tested in node).

/** Largest quantised coordinate: a fraction of 1 maps to this value. */
export const COORD_MAX = 0xffff;

/** A size in CSS pixels. */
export interface Size {
  width: number;
  height: number;
}

/** A point; units depend on the context (pixels, fractions or quantised u16). */
export interface Point {
  x: number;
  y: number;
}

function clamp01(value: number): number {
  if (Number.isNaN(value) || value <= 0) return 0;
  return value >= 1 ? 1 : value;
}

/** Page pixels (pageX/pageY) → fractions 0..1 of the document size, clamped. */
export function pageToNormal(page: Point, doc: Size): Point {
  return {
    x: doc.width > 0 ? clamp01(page.x / doc.width) : 0,
    y: doc.height > 0 ? clamp01(page.y / doc.height) : 0,
  };
}

/** Fractions 0..1 → page pixels of this document. */
export function normalToPage(normal: Point, doc: Size): Point {
  return { x: clamp01(normal.x) * doc.width, y: clamp01(normal.y) * doc.height };
}

/** One fraction 0..1 → an integer 0..65535 (rounded to nearest, clamped). */
export function quantise(fraction: number): number {
  return Math.round(clamp01(fraction) * COORD_MAX);
}

/** An integer 0..65535 → a fraction 0..1. */
export function dequantise(value: number): number {
  return clamp01(value / COORD_MAX);
}

/** Page pixels → quantised point (what goes on the wire). */
export function pageToWire(page: Point, doc: Size): Point {
  const n = pageToNormal(page, doc);
  return { x: quantise(n.x), y: quantise(n.y) };
}

/** Quantised point → page pixels of this document. */
export function wireToPage(wire: Point, doc: Size): Point {
  return normalToPage({ x: dequantise(wire.x), y: dequantise(wire.y) }, doc);
}
