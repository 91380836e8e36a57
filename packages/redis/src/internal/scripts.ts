/**
 * The Lua scripts behind every Redis operation. Each touches exactly one key (so it is atomic in Redis, and a cluster
 * could route it), takes time as the caller's `now` (epoch ms, an integer), and refreshes its key's expiry so idle
 * state disappears on its own. Expiries are garbage collection only: every decision compares the caller's `now` with
 * times stored in the key, never with Redis's clock.
 *
 * The logic mirrors `LimiterStore.makeMemory` line by line; `-1` stands for its `undefined` window end.
 *
 * @internal
 */
import * as Crypto from "node:crypto"

/** A script and its SHA-1 (for `EVALSHA`). */
export interface Script {
  readonly name: string
  readonly lua: string
  readonly sha: string
}

const script = (name: string, body: string): Script => {
  const lua = `${PRELUDE}\n${body}`
  return { name, lua, sha: Crypto.createHash("sha1").update(lua).digest("hex") }
}

// Numbers are written with %.0f: Lua 5.1's default number format keeps 14 digits, too few for large integers.
const PRELUDE = `
local function s(x) return string.format('%.0f', x) end
local function n(x, default) local v = tonumber(x); if v == nil then return default end; return v end
local function keep(key, untilMs, now, idle)
  local ttl = untilMs - now
  if ttl < 0 then ttl = 0 end
  redis.call('PEXPIRE', key, math.floor(ttl + idle))
end`

// ── request windows: hash { l = limit, u = used, r = resetAt (-1: unknown), b = blockedUntil, s = span, ─────────
// ── o = openedAt } ─────────────────────────────────────────────────────────────────────────────────────────────

// L2: a window ends at its named reset, else one span (the longest window described, 60 s when none was) after
// it began. Returns used, reset, opened after rolling.
const ROLL = `
local UNKNOWN_SPAN = 60000
local function roll(used, reset, opened, span, now)
  if reset >= 0 then
    if now >= reset then return 0, -1, reset end
    return used, reset, opened
  end
  local length = span
  if length <= 0 then length = UNKNOWN_SPAN end
  if now >= opened + length then return 0, -1, now end
  return used, reset, opened
end`

// The fleet's members of a window: field 'm:<member>' = the last time that process reserved in it. Counted (and the
// stale ones dropped) on every reservation, so a process knows its share should it have to pace alone.
const MEMBERS = `
local function members(k, member, now, seen)
  redis.call('HSET', k, 'm:' .. member, s(now))
  local count = 0
  local all = redis.call('HGETALL', k)
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, 2) == 'm:' then
      if n(all[i + 1], 0) >= now - seen then count = count + 1 else redis.call('HDEL', k, all[i]) end
    end
  end
  return count
end`

/**
 * KEYS[1] window; ARGV now, idle, unknownLimit, member, seenMillis → {1, 0, members} granted | {0, until, members}
 * wait, where `members` is how many processes reserved in the bucket within `seenMillis`.
 */
export const reserve = script(
  "reserve",
  `${MEMBERS}${ROLL}
local k = KEYS[1]
local now, idle, member, seen = n(ARGV[1], 0), n(ARGV[2], 0), ARGV[4], n(ARGV[5], 0)
if redis.call('EXISTS', k) == 0 then
  -- granted, and counted in the window the first responses will name (ARGV[3]: the limit of an unknown window)
  redis.call('HSET', k, 'l', ARGV[3], 'u', '1', 'r', '-1', 'b', '0', 's', '0', 'o', s(now))
  local m = members(k, member, now, seen)
  keep(k, now, now, idle)
  return {1, 0, m}
end
local m = members(k, member, now, seen)
local v = redis.call('HMGET', k, 'l', 'u', 'r', 'b', 's', 'o')
local limit, used, reset, blocked, span, opened = n(v[1], 0), n(v[2], 0), n(v[3], -1), n(v[4], 0), n(v[5], 0), n(v[6], now)
if now < blocked then return {0, blocked, m} end
used, reset, opened = roll(used, reset, opened, span, now)
local cap = limit
if cap < 1 then cap = 1 end
local granted = used < cap
if granted then used = used + 1 end
local length = span
if length <= 0 then length = UNKNOWN_SPAN end
redis.call('HSET', k, 'u', s(used), 'r', s(reset), 'o', s(opened))
keep(k, math.max(reset, blocked, opened + length), now, idle)
if granted then return {1, 0, m} end
if reset >= 0 then return {0, reset, m} end
return {0, opened + length, m}`
)

/** KEYS[1] window; ARGV now, idle, limit, remaining, resetAt. */
export const observeWindow = script(
  "observeWindow",
  `${ROLL}
local k = KEYS[1]
local now, idle, wl, wrem, wr = n(ARGV[1], 0), n(ARGV[2], 0), n(ARGV[3], 0), n(ARGV[4], 0), n(ARGV[5], 0)
-- a window that is already over says nothing about the next one
if wr <= now then return 1 end
local limit, used, reset, blocked, span, opened
if redis.call('EXISTS', k) == 0 then
  limit, used, reset, blocked, span, opened = wl, 0, wr, 0, 0, now
else
  local v = redis.call('HMGET', k, 'l', 'u', 'r', 'b', 's', 'o')
  limit, used, reset, blocked, span, opened = n(v[1], 0), n(v[2], 0), n(v[3], -1), n(v[4], 0), n(v[5], 0), n(v[6], now)
end
used, reset, opened = roll(used, reset, opened, span, now)
limit = wl
span = math.max(span, wr - now)
if reset < 0 or wr > reset then
  reset = wr
  used = math.max(used, wl - wrem)
elseif wr == reset then
  used = math.max(used, wl - wrem)
end
redis.call('HSET', k, 'l', s(limit), 'u', s(used), 'r', s(reset), 'b', s(blocked), 's', s(span), 'o', s(opened))
keep(k, math.max(reset, blocked), now, idle)
return 1`
)

/** KEYS[1] window; ARGV now, idle, until, unknownLimit. */
export const block = script(
  "block",
  `
local k = KEYS[1]
local now, idle, untilMs = n(ARGV[1], 0), n(ARGV[2], 0), n(ARGV[3], 0)
if redis.call('EXISTS', k) == 0 then
  redis.call('HSET', k, 'l', ARGV[4], 'u', '0', 'r', '-1', 'b', '0', 's', '0', 'o', s(now))
end
local blocked = n(redis.call('HGET', k, 'b'), 0)
if untilMs > now and untilMs > blocked then
  blocked = untilMs
  redis.call('HSET', k, 'b', s(blocked))
end
local reset = n(redis.call('HGET', k, 'r'), -1)
-- the announced wait wins over a later window reset (R3)
if untilMs > now and reset > untilMs then
  reset = untilMs
  redis.call('HSET', k, 'r', s(reset))
end
keep(k, math.max(reset, blocked), now, idle)
return 1`
)

// ── error budgets: hash { f = failures, r = resetAt } ──────────────────────────────────────────────────────────

/** KEYS[1] budget; ARGV now, idle, windowMillis → {failures, resetAt}. */
export const recordFailure = script(
  "recordFailure",
  `
local k = KEYS[1]
local now, idle, window = n(ARGV[1], 0), n(ARGV[2], 0), n(ARGV[3], 0)
local v = redis.call('HMGET', k, 'f', 'r')
local failures, reset = n(v[1], 0), n(v[2], -1)
if v[2] == false or now >= reset then failures = 0; reset = now + window end
failures = failures + 1
redis.call('HSET', k, 'f', s(failures), 'r', s(reset))
keep(k, reset, now, idle)
return {failures, reset}`
)

/** KEYS[1] budget; ARGV now, idle, remaining, resetAt, limit. */
export const observeBudget = script(
  "observeBudget",
  `
local k = KEYS[1]
local now, idle, rem, wr, limit = n(ARGV[1], 0), n(ARGV[2], 0), n(ARGV[3], 0), n(ARGV[4], 0), n(ARGV[5], 0)
if wr <= now then return 0 end
local serverFailures = math.max(0, limit - rem)
local v = redis.call('HMGET', k, 'f', 'r')
local failures, reset
if v[2] == false or now >= n(v[2], 0) then
  failures, reset = serverFailures, wr
else
  failures, reset = math.max(n(v[1], 0), serverFailures), math.max(n(v[2], 0), wr)
end
redis.call('HSET', k, 'f', s(failures), 'r', s(reset))
keep(k, reset, now, idle)
return 1`
)

/** KEYS[1] budget; ARGV now → {failures, resetAt}. */
export const budget = script(
  "budget",
  `
local k = KEYS[1]
local now = n(ARGV[1], 0)
local v = redis.call('HMGET', k, 'f', 'r')
if v[2] == false or now >= n(v[2], 0) then return {0, now} end
return {n(v[1], 0), n(v[2], 0)}`
)

// ── in-flight slots: sorted set lease → expiresAt ──────────────────────────────────────────────────────────────

/** KEYS[1] slots; ARGV now, idle, lease, limit, ttl → {1, 0} granted | {0, inUse} busy. */
export const acquireSlot = script(
  "acquireSlot",
  `
local k = KEYS[1]
local now, idle, lease, limit, ttl = n(ARGV[1], 0), n(ARGV[2], 0), ARGV[3], n(ARGV[4], 1), n(ARGV[5], 1)
redis.call('ZREMRANGEBYSCORE', k, '-inf', s(now))
local held = redis.call('ZSCORE', k, lease)
local inUse = redis.call('ZCARD', k)
if held or inUse < math.max(1, limit) then
  redis.call('ZADD', k, s(now + math.max(1, ttl)), lease)
  local last = redis.call('ZRANGE', k, -1, -1, 'WITHSCORES')
  keep(k, n(last[2], now), now, idle)
  return {1, 0}
end
return {0, inUse}`
)

/** KEYS[1] slots; ARGV lease. */
export const releaseSlot = script(
  "releaseSlot",
  `
redis.call('ZREM', KEYS[1], ARGV[1])
return 1`
)

/** KEYS[1] slots; ARGV now → live leases. */
export const slotsInUse = script(
  "slotsInUse",
  `
return redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')`
)

// ── top-up coordination: hash { o = owner, e = lease end, g = generation, m = spent (micro-USD) } ──────────────

/** KEYS[1] wallet; ARGV now, retention, owner, ttl → {1, generation} acquired | {0, generation} held. */
export const acquireLock = script(
  "acquireLock",
  `
local k = KEYS[1]
local now, retention, owner, ttl = n(ARGV[1], 0), n(ARGV[2], 0), ARGV[3], n(ARGV[4], 1)
local v = redis.call('HMGET', k, 'o', 'e', 'g')
local generation = n(v[3], 0)
if v[1] ~= false and v[1] ~= owner and n(v[2], 0) > now then return {0, generation} end
redis.call('HSET', k, 'o', owner, 'e', s(now + math.max(1, ttl)))
keep(k, now + ttl, now, retention)
return {1, generation}`
)

/** KEYS[1] wallet; ARGV now, retention, owner, paid (1/0) → generation. */
export const releaseLock = script(
  "releaseLock",
  `
local k = KEYS[1]
local now, retention, owner, paid = n(ARGV[1], 0), n(ARGV[2], 0), ARGV[3], ARGV[4]
if redis.call('HGET', k, 'o') == owner then redis.call('HDEL', k, 'o', 'e') end
local generation
if paid == '1' then
  generation = redis.call('HINCRBY', k, 'g', 1)
  keep(k, now, now, retention)
else
  generation = n(redis.call('HGET', k, 'g'), 0)
end
return generation`
)

/**
 * KEYS[1] wallet; ARGV now, retention, carry, delta, budget (micro-USD; budget -1: no check) → {1, spent} | {0, spent}.
 * `carry` is spend recorded while Redis was unreachable, added first; `delta` is the reservation (negative: give back).
 */
export const spend = script(
  "spend",
  `
local k = KEYS[1]
local now, retention, carry, delta, cap = n(ARGV[1], 0), n(ARGV[2], 0), n(ARGV[3], 0), n(ARGV[4], 0), n(ARGV[5], -1)
local spent = math.max(0, n(redis.call('HGET', k, 'm'), 0) + carry)
local ok = 1
if delta > 0 and cap >= 0 and spent + delta > cap then
  ok = 0
else
  spent = math.max(0, spent + delta)
end
if carry ~= 0 or delta ~= 0 then
  redis.call('HSET', k, 'm', s(spent))
  keep(k, now, now, retention)
end
return {ok, spent}`
)

// ── unconfirmed payments: hash fields ui = id, ua = amount (micro-USD), ur = the record (JSON, opaque to Lua) ────

/**
 * KEYS[1] wallet; ARGV now, retention, id, record, amount → the record now held (an existing one wins): a payment
 * whose outcome is unknown, recorded once for the fleet.
 */
export const markUnconfirmed = script(
  "markUnconfirmed",
  `
local k = KEYS[1]
local now, retention, id, record, amount = n(ARGV[1], 0), n(ARGV[2], 0), ARGV[3], ARGV[4], n(ARGV[5], 0)
local held = redis.call('HGET', k, 'ur')
if held then return held end
redis.call('HSET', k, 'ui', id, 'ur', record, 'ua', s(amount))
keep(k, now, now, retention)
return record`
)

/** KEYS[1] wallet → the unconfirmed record, or '' when there is none. */
export const getUnconfirmed = script(
  "getUnconfirmed",
  `
local held = redis.call('HGET', KEYS[1], 'ur')
if held then return held end
return ''`
)

/**
 * KEYS[1] wallet; ARGV now, retention, id, carry, absent (1/0) → {removed, spent}: removes the record `id` (ignored
 * when another is held) and, when it did and the payment never landed, gives its amount back to the budget in the
 * same step.
 */
export const resolveUnconfirmed = script(
  "resolveUnconfirmed",
  `
local k = KEYS[1]
local now, retention, id, carry, absent = n(ARGV[1], 0), n(ARGV[2], 0), ARGV[3], n(ARGV[4], 0), ARGV[5]
local spent = math.max(0, n(redis.call('HGET', k, 'm'), 0) + carry)
local removed = 0
if redis.call('HGET', k, 'ui') == id then
  if absent == '1' then spent = math.max(0, spent - n(redis.call('HGET', k, 'ua'), 0)) end
  redis.call('HDEL', k, 'ui', 'ur', 'ua')
  removed = 1
end
redis.call('HSET', k, 'm', s(spent))
keep(k, now, now, retention)
return {removed, spent}`
)
