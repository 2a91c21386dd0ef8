// The arena's rules as numbers, shared by the simulation (backend) and the renderer (page).

/** The arena is a square of this many units a side. */
export const ARENA_SIZE = 1000;
/** A player's radius. */
export const PLAYER_RADIUS = 18;
/** Speed at full input, units per second; "it" is a little faster so a chase can end. */
export const SPEED = 280;
export const IT_SPEED = 310;
/** A dash multiplies speed for a short time, then needs a cool-down. */
export const DASH_FACTOR = 2.5;
export const DASH_MS = 200;
export const DASH_COOLDOWN_MS = 2000;
/** A freshly tagged player stands still this long (no instant tag-back). */
export const FROZEN_MS = 1000;
