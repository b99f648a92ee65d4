/**
 * Lua scripts for the Redis store: every operation that reads and then writes runs as one script, so it
 * is atomic on a single node and on a Cluster. Each script touches the keys of one partition only
 * (one hash tag, so one slot: docs/stores.md). Records are JSON (cjson); deadlines are epoch seconds and
 * rows expire at `purgeAt` (PXAT).
 *
 * ARGV[1] is always the partition's key space (e.g. `tenure:{417}:`, or `tenure:{t}:` on a single
 * node); KEYS[1] is a key of that space, which only routes the script to the node serving its slot.
 * A script that finds no row for the id or hash it was given answers nil, so the caller can look for
 * it elsewhere (a value that names no partition of its own).
 */
const HELPERS = `
local p = ARGV[1]
local function load(id)
  local raw = redis.call('GET', p .. 'S:' .. id)
  if not raw then return nil end
  return cjson.decode(raw)
end
local function isnull(v) return v == nil or v == cjson.null end
local function save(rec)
  local at = math.floor(tonumber(rec.purgeAt) * 1000)
  redis.call('SET', p .. 'S:' .. rec.id, cjson.encode(rec), 'PXAT', at)
  redis.call('SET', p .. 'T:' .. rec.tokenHash, rec.id, 'PXAT', at)
  if not isnull(rec.prevTokenHash) then redis.call('SET', p .. 'T:' .. rec.prevTokenHash, rec.id, 'PXAT', at) end
end
local function live(rec, now)
  return isnull(rec.endedAt) and rec.absoluteExpiresAt > now
    and (isnull(rec.idleExpiresAt) or rec.idleExpiresAt > now)
    and (isnull(rec.rollingExpiresAt) or rec.rollingExpiresAt > now)
end
local function finish(rec, reason, endedAt, purgeAt)
  rec.endedAt = endedAt
  rec.endReason = reason
  rec.purgeAt = purgeAt
  save(rec)
end
`;

/**
 * ARGV: prefix, record JSON, max, onLimit, now, endedAt, purgeAt. Answers ['created', ended ids…] or ['limited'].
 * \`Q:<subject>\` numbers the subject's sessions in creation order (field \`#\` is the counter): "oldest"
 * cannot come from createdAt, whose whole seconds tie for logins within one second.
 */
export const CREATE = `${HELPERS}
local rec = cjson.decode(ARGV[2])
local max = tonumber(ARGV[3])
local order = p .. 'Q:' .. rec.subjectKey
local ended = {}
if max > 0 then
  local now = tonumber(ARGV[5])
  local ids = redis.call('ZRANGE', p .. 'U:' .. rec.subjectKey, 0, -1)
  local alive = {}
  for _, id in ipairs(ids) do
    local other = load(id)
    if not other then
      redis.call('ZREM', p .. 'U:' .. rec.subjectKey, id)
      redis.call('HDEL', order, id)
    elseif other.audience == rec.audience and live(other, now) then
      table.insert(alive, {rec = other, seq = tonumber(redis.call('HGET', order, id)) or 0})
    end
  end
  table.sort(alive, function(a, b)
    if a.seq ~= b.seq then return a.seq < b.seq end
    if a.rec.createdAt ~= b.rec.createdAt then return a.rec.createdAt < b.rec.createdAt end
    return a.rec.id < b.rec.id
  end)
  for i, entry in ipairs(alive) do alive[i] = entry.rec end
  if #alive >= max then
    if ARGV[4] == 'refuse' then return {'limited'} end
    for i = 1, #alive - max + 1 do
      finish(alive[i], 'revoked', tonumber(ARGV[6]), tonumber(ARGV[7]))
      table.insert(ended, alive[i].id)
    end
  end
end
if redis.call('EXISTS', p .. 'S:' .. rec.id) == 1 then return redis.error_reply('session exists') end
save(rec)
redis.call('HSET', order, rec.id, redis.call('HINCRBY', order, '#', 1))
redis.call('ZADD', p .. 'U:' .. rec.subjectKey, rec.createdAt, rec.id)
redis.call('ZADD', p .. 'A', rec.createdAt, rec.id)
if not isnull(rec.org) then redis.call('SADD', p .. 'O:' .. rec.org, rec.id) end
local out = {'created'}
for _, id in ipairs(ended) do table.insert(out, id) end
return out
`;

/** ARGV: prefix, token hash. Answers the record JSON or nil. */
export const FIND_BY_TOKEN = `${HELPERS}
local id = redis.call('GET', p .. 'T:' .. ARGV[2])
if not id then return nil end
return redis.call('GET', p .. 'S:' .. id)
`;

/**
 * ARGV: prefix, id. Answers {record JSON, generation} or nil: cookie storage's two reads in one round
 * trip (a session and its subject's generation share the subject's partition).
 */
export const GET_WITH_GENERATION = `
local p = ARGV[1]
local raw = redis.call('GET', p .. 'S:' .. ARGV[2])
if not raw then return nil end
return {raw, redis.call('GET', p .. 'G:' .. cjson.decode(raw).subjectKey) or '0'}
`;

/** ARGV: prefix, id, update JSON. Answers 1 when a live row was touched, 0 for an ended one or one with later activity (never moved back), nil for none. */
export const TOUCH = `${HELPERS}
local rec = load(ARGV[2])
if not rec then return nil end
if not isnull(rec.endedAt) then return 0 end
local update = cjson.decode(ARGV[3])
if rec.lastActivityAt > update.lastActivityAt then return 0 end
for k, v in pairs(update) do rec[k] = v end
save(rec)
return 1
`;

/** ARGV: prefix, id, fromHash, toHash, update JSON. Answers rotated / already / conflict, nil for no row. */
export const ROTATE = `${HELPERS}
local rec = load(ARGV[2])
if not rec then return nil end
if not isnull(rec.endedAt) then return 'conflict' end
if rec.tokenHash == ARGV[4] then return 'already' end
if rec.tokenHash ~= ARGV[3] then return 'conflict' end
if not isnull(rec.prevTokenHash) then redis.call('DEL', p .. 'T:' .. rec.prevTokenHash) end
for k, v in pairs(cjson.decode(ARGV[5])) do rec[k] = v end
rec.prevTokenHash = ARGV[3]
rec.tokenHash = ARGV[4]
save(rec)
return 'rotated'
`;

/** ARGV: prefix, id, data JSON. Answers 1, 0 for an ended row, nil for none. */
export const SET_DATA = `${HELPERS}
local rec = load(ARGV[2])
if not rec then return nil end
if not isnull(rec.endedAt) then return 0 end
rec.data = cjson.decode(ARGV[3])
save(rec)
return 1
`;

/**
 * ARGV: prefix, reason, endedAt, purgeAt, id | '' , subjectKey | '', audience | '', org | '', exceptId | '', all ('1' | '').
 * Ends one session (id; nil when there is no such row) or every live one matching the filter in this
 * partition; answers how many.
 */
export const END = `${HELPERS}
local reason, endedAt, purgeAt = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local id, subject, audience, org, except = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local ids
if id ~= '' and redis.call('EXISTS', p .. 'S:' .. id) == 0 then return nil end
if id ~= '' then ids = {id}
elseif subject ~= '' then ids = redis.call('ZRANGE', p .. 'U:' .. subject, 0, -1)
elseif org ~= '' then ids = redis.call('SMEMBERS', p .. 'O:' .. org)
else ids = redis.call('ZRANGE', p .. 'A', 0, -1) end
local count = 0
for _, sid in ipairs(ids) do
  local rec = load(sid)
  if rec and isnull(rec.endedAt)
    and (audience == '' or rec.audience == audience)
    and (org == '' or rec.org == org)
    and (except == '' or rec.id ~= except) then
    finish(rec, reason, endedAt, purgeAt)
    count = count + 1
  end
end
return count
`;

const INSERT_REFRESH_HELPER = `
local function insertRefresh(json)
  local succ = cjson.decode(json)
  local skey = p .. 'R:' .. succ.hash
  if redis.call('EXISTS', skey) == 1 then return 0 end
  redis.call('SET', skey, json, 'PXAT', math.floor(succ.expiresAt * 1000))
  redis.call('SADD', p .. 'RS:' .. succ.sessionId, succ.hash)
  redis.call('ZADD', p .. 'RX', succ.expiresAt, succ.hash)
  return 1
end
`;

/** ARGV: prefix, record JSON. Inserts a refresh token unless its hash exists; answers 1 or 0. */
export const INSERT_REFRESH = `
local p = ARGV[1]
${INSERT_REFRESH_HELPER}
return insertRefresh(ARGV[2])
`;

/**
 * ARGV: prefix, oldHash, successor JSON, now, reuseInterval. Answers {status, record JSON}, or nil
 * when no such token is in this partition.
 */
export const ROTATE_REFRESH = `
local p = ARGV[1]
${INSERT_REFRESH_HELPER}
local key = p .. 'R:' .. ARGV[2]
local raw = redis.call('GET', key)
if not raw then return nil end
local rec = cjson.decode(raw)
local now, interval = tonumber(ARGV[4]), tonumber(ARGV[5])
if rec.expiresAt <= now then return {'unknown'} end
local function insert() insertRefresh(ARGV[3]) end
if rec.usedAt == nil or rec.usedAt == cjson.null then
  rec.usedAt = now
  local updated = cjson.encode(rec)
  redis.call('SET', key, updated, 'KEEPTTL')
  insert()
  return {'fresh', updated}
end
if now - rec.usedAt < interval then
  insert()
  return {'retry', raw}
end
return {'reuse', raw}
`;

/** ARGV: prefix, sessionId. Deletes the session's refresh tokens; answers how many. */
export const DELETE_REFRESH = `
local p = ARGV[1]
local set = p .. 'RS:' .. ARGV[2]
local hashes = redis.call('SMEMBERS', set)
local count = 0
for _, h in ipairs(hashes) do count = count + redis.call('DEL', p .. 'R:' .. h) end
redis.call('DEL', set)
return count
`;

/**
 * ARGV: prefix, now. Deletes this partition's sessions whose purgeAt has come (with their token keys and
 * index entries) and expired refresh tokens; answers how many. TTLs already drop rows on time; this also serves
 * callers whose clock is not the server's (and keeps the indexes small).
 */
export const SWEEP = `${HELPERS}
local now = tonumber(ARGV[2])
local removed = 0
for _, id in ipairs(redis.call('ZRANGE', p .. 'A', 0, -1)) do
  local rec = load(id)
  if not rec or rec.purgeAt <= now then
    if rec then
      redis.call('DEL', p .. 'S:' .. id, p .. 'T:' .. rec.tokenHash)
      if not isnull(rec.prevTokenHash) then redis.call('DEL', p .. 'T:' .. rec.prevTokenHash) end
      redis.call('ZREM', p .. 'U:' .. rec.subjectKey, id)
      redis.call('HDEL', p .. 'Q:' .. rec.subjectKey, id)
      if not isnull(rec.org) then redis.call('SREM', p .. 'O:' .. rec.org, id) end
      removed = removed + 1
    end
    redis.call('ZREM', p .. 'A', id)
  end
end
for _, h in ipairs(redis.call('ZRANGEBYSCORE', p .. 'RX', '-inf', now)) do
  removed = removed + redis.call('DEL', p .. 'R:' .. h)
  redis.call('ZREM', p .. 'RX', h)
end
return removed
`;

/**
 * ARGV: prefix, index ('A' or 'U:<subject>'), after createdAt ('' for none), after id, now, audience
 * ('' any), org ('' any), want. Answers up to `want` raw records of live sessions after the cursor in
 * (createdAt, id) order: one partition's share of a page (the caller merges partitions).
 */
export const LIST = `${HELPERS}
local index = p .. ARGV[2]
local hasAfter = ARGV[3] ~= ''
local afterAt, afterId = tonumber(ARGV[3]), ARGV[4]
local now, audience, org, want = tonumber(ARGV[5]), ARGV[6], ARGV[7], tonumber(ARGV[8])
local out = {}
local offset = 0
while #out < want do
  local batch = redis.call('ZRANGEBYSCORE', index, hasAfter and ARGV[3] or '-inf', '+inf', 'WITHSCORES', 'LIMIT', offset, 256)
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local id, at = batch[i], tonumber(batch[i + 1])
    if not hasAfter or at > afterAt or (at == afterAt and id > afterId) then
      local raw = redis.call('GET', p .. 'S:' .. id)
      if raw then
        local rec = cjson.decode(raw)
        if live(rec, now) and (audience == '' or rec.audience == audience) and (org == '' or rec.org == org) then
          table.insert(out, raw)
          if #out >= want then break end
        end
      end
    end
  end
  offset = offset + 256
end
return out
`;
