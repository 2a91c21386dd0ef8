// Room rights of a connection: which rooms it may join and what it may do there (PROTOCOL.md
// §8.18 rule 2). Pure: built once from a token's claims, asked on every join, send and presence.

/** What a connection may do in a room. Every action implies `join`. */
export const ACTIONS = ['join', 'send', 'direct', 'presence'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Rights {
  /** Every action in every room: anonymous connections (v1 behaviour) and `role: "server"`. */
  readonly all: boolean;
  /** Exact room names and their actions. */
  readonly exact: ReadonlyMap<string, ReadonlySet<Action>>;
  /** Prefix patterns (`game:*` → `game:`), longest first, and their actions. */
  readonly prefixes: readonly (readonly [prefix: string, actions: ReadonlySet<Action>])[];
}

export const ALL_RIGHTS: Rights = Object.freeze({ all: true, exact: new Map(), prefixes: [] });
export const NO_RIGHTS: Rights = Object.freeze({ all: false, exact: new Map(), prefixes: [] });

/**
 * The `rooms` claim, already validated: an array of patterns (every action) or a map from pattern
 * to actions. A pattern ending in `*` is a prefix (`*` alone: every room).
 */
export type RoomsClaim = readonly string[] | Readonly<Record<string, readonly Action[]>>;

export function rightsFromClaim(rooms: RoomsClaim | undefined): Rights {
  if (rooms === undefined) return NO_RIGHTS;
  const entries: [string, readonly Action[]][] = Array.isArray(rooms)
    ? rooms.map((pattern) => [pattern, ACTIONS])
    : Object.entries(rooms as Record<string, readonly Action[]>);
  const exact = new Map<string, Set<Action>>();
  const prefixes = new Map<string, Set<Action>>();
  for (const [pattern, actions] of entries) {
    const wildcard = pattern.endsWith('*');
    const target = wildcard ? prefixes : exact;
    const key = wildcard ? pattern.slice(0, -1) : pattern;
    const set = target.get(key) ?? new Set<Action>();
    for (const action of actions) set.add(action);
    target.set(key, set);
  }
  return {
    all: false,
    exact,
    prefixes: [...prefixes.entries()].sort((a, b) => b[0].length - a[0].length),
  };
}

/** Whether these rights allow `action` in `room`. Matching patterns add up; any action implies join. */
export function can(rights: Rights, room: string, action: Action): boolean {
  if (rights.all) return true;
  if (allows(rights.exact.get(room), action)) return true;
  for (const [prefix, actions] of rights.prefixes) {
    if (room.startsWith(prefix) && allows(actions, action)) return true;
  }
  return false;
}

export function canJoin(rights: Rights, room: string): boolean {
  return can(rights, room, 'join');
}

function allows(actions: ReadonlySet<Action> | undefined, action: Action): boolean {
  if (actions === undefined) return false;
  return action === 'join' ? actions.size > 0 : actions.has(action);
}
