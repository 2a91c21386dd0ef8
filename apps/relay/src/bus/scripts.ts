// The Lua scripts that make rooms atomic in Redis (docs/decisions/0002-cluster.md): member ids
// and capacity, the lock, the host, settings and seats. Each touches the keys of one room only
// (KEYS[1] members hash, KEYS[2] meta hash, KEYS[3] join order; one hash tag), so it runs on
// Redis Cluster as well. A member entry is `node .. "\n" .. entry-json` (entry.ts: presence,
// identity, away state); an entry is changed or removed only by the node that holds it (or by the
// reaper of a dead node, or by the node a held seat moves to).

/**
 * Join order scores: a member's join counter, plus this offset for members without a server
 * token, so the first entry of the order is the longest-present server member, else the
 * longest-present member: the host (PROTOCOL.md §8.20).
 */
const NOT_SERVER = 1099511627776; // 2^40: join counters stay far below it, doubles stay exact

/** Settings fields of the meta hash, in the order scripts return them (settings.ts reads them). */
const SETTINGS = `'capacity', 'locked', 'private', 'metadata', 'setv'`;

/**
 * rehost(): the host is the first of the join order; stores it and bumps `hostv` when it changed.
 * Returns host, version, previous host.
 */
const REHOST = `
local function rehost()
  local first = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
  local host = first and tonumber(first) or 0
  local old = tonumber(redis.call('HGET', KEYS[2], 'host') or '0')
  if host ~= old then
    redis.call('HSET', KEYS[2], 'host', host)
    return host, redis.call('HINCRBY', KEYS[2], 'hostv', 1), old
  end
  return host, tonumber(redis.call('HGET', KEYS[2], 'hostv') or '0'), old
end
local function enter(id, server)
  if redis.call('ZSCORE', KEYS[3], id) then return end
  local score = redis.call('HINCRBY', KEYS[2], 'seq', 1)
  if server ~= '1' then score = score + ${NOT_SERVER} end
  redis.call('ZADD', KEYS[3], score, id)
end
`;

/**
 * Reserve an id. ARGV: node, entry, maxMembers, tickHz, maxId, server (0/1), then the settings of a
 * room this join creates (capacity, locked 0/1, private 0/1, metadata JSON). A new room takes them
 * and the creator's tickHz; an existing one is refused when locked ({-1}) or full ({0}, its stored
 * capacity bounded by maxMembers). Else returns {id, tickHz, members..., created, host, hostv,
 * previous host, {settings}}.
 */
export const CLAIM = `${REHOST}
local created = 0
if redis.call('EXISTS', KEYS[2]) == 0 then
  created = 1
  redis.call('HSET', KEYS[2], 'capacity', ARGV[7], 'locked', ARGV[8], 'private', ARGV[9], 'metadata', ARGV[10], 'setv', 1)
elseif redis.call('HGET', KEYS[2], 'locked') == '1' then
  return {-1}
end
local cap = tonumber(ARGV[3])
local stored = tonumber(redis.call('HGET', KEYS[2], 'capacity') or ARGV[3])
if stored < cap then cap = stored end
if redis.call('HLEN', KEYS[1]) >= cap then return {0, cap} end
local tick = redis.call('HGET', KEYS[2], 'tickHz')
if not tick then tick = ARGV[4]; redis.call('HSET', KEYS[2], 'tickHz', tick) end
local maxId = tonumber(ARGV[5])
local id = tonumber(redis.call('HGET', KEYS[2], 'lastId') or '0')
repeat
  if id >= maxId then id = 1 else id = id + 1 end
until redis.call('HEXISTS', KEYS[1], id) == 0
redis.call('HSET', KEYS[2], 'lastId', id)
redis.call('HSET', KEYS[1], id, ARGV[1] .. '\\n' .. ARGV[2])
-- Someone joined: a room the API created no longer expires (EXPIRE_CREATED); its last leave closes it.
redis.call('HDEL', KEYS[2], 'exp')
redis.call('PERSIST', KEYS[2])
enter(id, ARGV[6])
local host, hostv, old = rehost()
return {id, tick, redis.call('HGETALL', KEYS[1]), created, host, hostv, old, redis.call('HMGET', KEYS[2], ${SETTINGS})}
`;

/**
 * A held seat moves to this node (§8.21 across nodes): ARGV id, the entry as the reader saw it
 * (compare-and-set: the seat is still away, still the same), the new entry. Returns {0} when the
 * seat changed meanwhile, else what CLAIM returns (created 0).
 */
export const TAKE = `${REHOST}
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return {0} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local host, hostv, old = rehost()
return {tonumber(ARGV[1]), redis.call('HGET', KEYS[2], 'tickHz'), redis.call('HGETALL', KEYS[1]), 0, host, hostv, old, redis.call('HMGET', KEYS[2], ${SETTINGS})}
`;

const OWNED = `
local function owned(entry, node)
  return entry and string.sub(entry, 1, #node + 1) == node .. '\\n'
end
`;

/**
 * Give an id back if this node holds it (and, given ARGV[3], only if its entry is still exactly
 * that: an adopted seat that a client took back meanwhile stays); the room's keys go with its last
 * member. Returns {removed 0/1, room deleted 0/1, host, hostv, previous host}.
 */
export const RELEASE = `${OWNED}${REHOST}
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not owned(entry, ARGV[2]) or (ARGV[3] and entry ~= ARGV[3]) then return {0, 0, 0, 0, 0} end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  return {1, 1, 0, 0, 0}
end
local host, hostv, old = rehost()
return {1, 0, host, hostv, old}
`;

/** New entry (presence, away state) of a member this node holds. Returns 1 if stored. */
export const UPDATE = `${OWNED}
if not owned(redis.call('HGET', KEYS[1], ARGV[1]), ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\\n' .. ARGV[3])
return 1
`;

/**
 * Removes every member of node ARGV[1] (a dead node, or this node's previous run). Returns
 * {room deleted 0/1, host, hostv, previous host, id1, entry1, id2, entry2, ...}.
 */
export const REAP = `${OWNED}${REHOST}
local flat = redis.call('HGETALL', KEYS[1])
local removed = {}
for i = 1, #flat, 2 do
  if owned(flat[i + 1], ARGV[1]) then
    redis.call('HDEL', KEYS[1], flat[i])
    redis.call('ZREM', KEYS[3], flat[i])
    removed[#removed + 1] = tonumber(flat[i])
    removed[#removed + 1] = flat[i + 1]
  end
end
if #removed == 0 then return {0, 0, 0, 0} end
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  return {1, 0, 0, 0, unpack(removed)}
end
local host, hostv, old = rehost()
return {0, host, hostv, old, unpack(removed)}
`;

/**
 * A dead node's members whose seats can be held (their entry ends with a seat hash, entry.ts) become
 * held seats of the adopting node ARGV[2] instead of leaving: `a` is set, the node rewritten. The
 * entry's ending is written by the relay, never by a client (presence and info come before it).
 * Returns {id1, entry1, id2, entry2, ...} of the adopted seats.
 */
export const ADOPT = `${OWNED}
local flat = redis.call('HGETALL', KEYS[1])
local adopted = {}
for i = 1, #flat, 2 do
  local entry = flat[i + 1]
  if owned(entry, ARGV[1]) then
    local json = string.sub(entry, #ARGV[1] + 2)
    if string.find(json, ',"s":"[%w_%-]+"}$') then
      if not string.find(json, ',"a":1,"s":"[%w_%-]+"}$') then
        json = string.gsub(json, ',"s":"([%w_%-]+)"}$', ',"a":1,"s":"%1"}')
      end
      local moved = ARGV[2] .. '\\n' .. json
      redis.call('HSET', KEYS[1], flat[i], moved)
      adopted[#adopted + 1] = tonumber(flat[i])
      adopted[#adopted + 1] = moved
    end
  end
end
return adopted
`;

/**
 * After an outage: registers a local member again (ARGV id, node, entry, tickHz, server, then the
 * room's settings as this node holds them, stored if Redis lost them). Returns 1 if the entry was
 * still this node's, 2 if it was gone and is added back, 0 if another node holds the id now.
 */
export const RECLAIM = `${OWNED}${REHOST}
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if entry and not owned(entry, ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\\n' .. ARGV[3])
if not redis.call('HGET', KEYS[2], 'tickHz') then redis.call('HSET', KEYS[2], 'tickHz', ARGV[4]) end
if not redis.call('HGET', KEYS[2], 'capacity') then
  redis.call('HSET', KEYS[2], 'capacity', ARGV[6], 'locked', ARGV[7], 'private', ARGV[8], 'metadata', ARGV[9], 'setv', 1)
end
redis.call('HDEL', KEYS[2], 'exp')
redis.call('PERSIST', KEYS[2])
enter(ARGV[1], ARGV[5])
if entry then return 1 end
return 2
`;

/** The room's host now (recomputed, e.g. after members were registered again): {host, hostv, previous host, {settings}}. */
export const HOST = `${REHOST}
if redis.call('EXISTS', KEYS[2]) == 0 then return {0, 0, 0, {}} end
local host, hostv, old = rehost()
return {host, hostv, old, redis.call('HMGET', KEYS[2], ${SETTINGS})}
`;

/**
 * A room made by the server API (ARGV tickHz, capacity, locked, private, metadata, then the
 * expiry: this creation's token and the meta hash's TTL in ms, 0 for none): 0 if it exists, else 1.
 * Until someone joins (CLAIM clears both), `exp` holds the token EXPIRE_CREATED checks, and the
 * TTL removes the room should the creating node not be there to close it.
 */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'tickHz', ARGV[1], 'capacity', ARGV[2], 'locked', ARGV[3], 'private', ARGV[4], 'metadata', ARGV[5], 'setv', 1)
if tonumber(ARGV[7]) > 0 then
  redis.call('HSET', KEYS[1], 'exp', ARGV[6])
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
end
return 1
`;

/**
 * RELAY_EMPTY_ROOM_TTL_SEC ran out for the creation ARGV[1]: deletes the room if it is still that
 * creation (not closed and created again) and nobody joined it. Returns 1 if deleted.
 */
export const EXPIRE_CREATED = `
if redis.call('HGET', KEYS[2], 'exp') ~= ARGV[1] or redis.call('HLEN', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
`;

/** Changes settings (ARGV: field, value pairs) of a live room; returns {} when there is none, else {settings}. */
export const SETTINGS_PATCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
redis.call('HINCRBY', KEYS[1], 'setv', 1)
return redis.call('HMGET', KEYS[1], ${SETTINGS})
`;

/** Deletes a room that has no member (one the server API created and closes). Returns 1 if deleted. */
export const DROP_EMPTY = `
if redis.call('HLEN', KEYS[1]) > 0 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
`;
