// The Lua scripts that make room membership atomic in Redis (docs/decisions/0002-cluster.md).
// Each touches the keys of one room only (KEYS[1] members hash, KEYS[2] meta hash, one hash tag),
// so it runs on Redis Cluster as well. A member entry is `node .. "\n" .. entry-json` (entry.ts: presence and identity); an
// entry is changed or removed only by the node that holds it (or by the reaper of a dead node).

/** Reserve an id: capacity check, the creator's tickHz, the next free id after lastId; returns {id, tickHz, members...} or {0}. */
export const CLAIM = `
local n = redis.call('HLEN', KEYS[1])
if n >= tonumber(ARGV[3]) then return {0} end
local tick = redis.call('HGET', KEYS[2], 'tickHz')
if not tick then tick = ARGV[4]; redis.call('HSET', KEYS[2], 'tickHz', tick) end
local maxId = tonumber(ARGV[5])
local id = tonumber(redis.call('HGET', KEYS[2], 'lastId') or '0')
repeat
  if id >= maxId then id = 1 else id = id + 1 end
until redis.call('HEXISTS', KEYS[1], id) == 0
redis.call('HSET', KEYS[2], 'lastId', id)
redis.call('HSET', KEYS[1], id, ARGV[1] .. '\\n' .. ARGV[2])
return {id, tick, redis.call('HGETALL', KEYS[1])}
`;

const OWNED = `
local function owned(entry, node)
  return entry and string.sub(entry, 1, #node + 1) == node .. '\\n'
end
`;

/** Give an id back if this node holds it; the room's keys go with its last member. Returns 1 if removed. */
export const RELEASE = `${OWNED}
if not owned(redis.call('HGET', KEYS[1], ARGV[1]), ARGV[2]) then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
`;

/** New presence of a member this node holds. Returns 1 if stored. */
export const UPDATE = `${OWNED}
if not owned(redis.call('HGET', KEYS[1], ARGV[1]), ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\\n' .. ARGV[3])
return 1
`;

/** Removes every member of node ARGV[1] (a dead node, or this node's previous run); returns their ids. */
export const REAP = `${OWNED}
local flat = redis.call('HGETALL', KEYS[1])
local removed = {}
for i = 1, #flat, 2 do
  if owned(flat[i + 1], ARGV[1]) then
    redis.call('HDEL', KEYS[1], flat[i])
    removed[#removed + 1] = tonumber(flat[i])
  end
end
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return removed
`;

/**
 * After an outage: registers a local member again. Returns 1 if the entry was still this node's,
 * 2 if it was gone and is added back, 0 if another node holds the id now.
 */
export const RECLAIM = `${OWNED}
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if entry and not owned(entry, ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\\n' .. ARGV[3])
if not redis.call('HGET', KEYS[2], 'tickHz') then redis.call('HSET', KEYS[2], 'tickHz', ARGV[4]) end
if entry then return 1 end
return 2
`;
