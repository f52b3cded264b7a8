import { POISONED_SEQ } from '../../store/record-hash';

/** A Lua script registered on a connection with ioredis `defineCommand` (EVALSHA + NOSCRIPT fallback). */
export interface ScriptDefinition {
  /** The command name it gets on the client and its pipelines. */
  readonly name: string;
  /** How many KEYS it takes; undefined when the caller passes the count first. */
  readonly numberOfKeys?: number;
  readonly lua: string;
}


/**
 * Lua helpers shared by the scripts.
 *
 * - `publish_state(channel, key, seq, state, extra, reply)` publishes `{type:'state', key, seq,
 *   state, ...extra}` on the execution's channel and, for a terminal event of a run added with a
 *   result inbox, on `reply` too. An event nobody can receive is not even encoded: no pattern
 *   subscriber (asked once per script call) and no subscriber of the channel. That is exact, not
 *   a guess: a subscriber that comes later reads the record after subscribing.
 * - `announce_to_patterns()` says whether any pattern subscriber (events$()) exists.
 * - `listened_channels(channels)` asks for the subscribers of a batch's channels in one call;
 *   its answer is the optional last argument of `publish_state`.
 *
 * On Redis Cluster PUBSUB NUMSUB and NUMPAT count only the subscribers of the node the script
 * runs on, while PUBLISH reaches every node: there every event is published
 * ({@link scriptForConnection} sets EVERY_NODE_MAY_LISTEN).
 *
 * Terminal events carry the run's `gen`, so an inbox never mistakes one run under a key for another.
 */
export const LUA_PRELUDE = `
local EVERY_NODE_MAY_LISTEN = false
local patterns_known, patterns = false, false
local function announce_to_patterns()
  if EVERY_NODE_MAY_LISTEN then return true end
  if not patterns_known then
    patterns = redis.call('PUBSUB', 'NUMPAT') > 0
    patterns_known = true
  end
  return patterns
end
local function listened_channels(channels)
  local listened = {}
  if #channels == 0 or announce_to_patterns() then return listened end
  for first = 1, #channels, 500 do
    local counts = redis.call('PUBSUB', 'NUMSUB', unpack(channels, first, math.min(first + 499, #channels)))
    for i = 1, #counts, 2 do listened[counts[i]] = counts[i + 1] > 0 end
  end
  return listened
end
local function publish_state(channel, key, seq, state, extra, reply, listened)
  if not reply and not announce_to_patterns() then
    if listened == nil then listened = redis.call('PUBSUB', 'NUMSUB', channel)[2] > 0 end
    if not listened then return end
  end
  local ev = extra or {}
  ev['type'] = 'state'; ev['key'] = key; ev['seq'] = seq; ev['state'] = state
  local message = cjson.encode(ev)
  redis.call('PUBLISH', channel, message)
  if reply then redis.call('PUBLISH', reply, message) end
end
local function finish_record(runs, ttl)
  if ttl > 0 then redis.call('PEXPIRE', runs, ttl) else redis.call('DEL', runs) end
end
`;

/**
 * Lua helpers for bad data (with {@link LUA_PRELUDE}), only in the scripts that read records or
 * messages they must not trust: the claims, the complete, the due-mover, cancel, leave and the
 * outcome quarantine. (The schedule script writes records; it pays nothing for these.)
 *
 * Bad data (a stream entry without a key, a record whose numbers are not numbers, a state that is
 * none of ours) is checked for before anything is written, and moved aside, never retried:
 * - `count(v)` is the number in `v`, or nil when it is missing, not a number, NaN or infinite.
 * - `known_state(s)` says whether `s` is one of the six states.
 * - `quarantine(kprefix, what, reason, id, key, raw, now)` appends the raw item (its fields as
 *   JSON), why and when to the docket's quarantine stream (capped at about 10,000 entries) and
 *   announces it on the quarantine channel.
 * - `fail_in_place(kprefix, runs, key, err, now, ttl)` replaces a record with a FAILED one that
 *   says `err`, with its event, so that whoever watches or awaits the execution learns of it. Its
 *   sequence number is {@link POISONED_SEQ}.
 * - `poison_record(kprefix, runs, key, reason, id, now, ttl)` quarantines an unreadable record
 *   and fails it in place.
 */
export const BAD_DATA_LUA = `
local function count(v)
  local n = tonumber(v)
  if n and n == n and n > -1e300 and n < 1e300 then return n end
  return nil
end
local function known_state(s)
  return s == 'queued' or s == 'running' or s == 'scheduled' or s == 'completed' or s == 'failed' or s == 'cancelled'
end
local function quarantine(kprefix, what, reason, id, key, raw, now)
  local at = tostring(now)
  redis.call('XADD', kprefix .. ':quarantine', 'MAXLEN', '~', 10000, '*',
    'what', what, 'reason', reason, 'id', id or '', 'key', key or '', 'at', at, 'raw', cjson.encode(raw or {}))
  redis.call('PUBLISH', kprefix .. ':quarantine', cjson.encode({what = what, reason = reason, id = id or '', key = key or '', at = tonumber(at)}))
end
local POISONED_SEQ = ${POISONED_SEQ}
local function fail_in_place(kprefix, runs, key, err, now, ttl)
  local old = redis.call('HMGET', runs, 'gen', 'fn', 'reply')
  redis.call('DEL', runs)
  redis.call('HSET', runs, 'state', 'failed', 'fn', old[2] or '', 'gen', count(old[1]) or 0, 'when', now, 'completed', now,
    'seq', POISONED_SEQ, 'sseq', POISONED_SEQ, 'error', err)
  local reply = old[3]
  if type(reply) ~= 'string' or reply == '' then reply = nil end
  publish_state(kprefix .. ':events:' .. key, key, POISONED_SEQ, 'failed', {completedAt = tonumber(now), error = err, gen = count(old[1]) or 0}, reply)
  finish_record(runs, ttl)
end
local function poison_record(kprefix, runs, key, reason, id, now, ttl)
  quarantine(kprefix, 'record', reason, id, key, redis.call('HGETALL', runs), now)
  fail_in_place(kprefix, runs, key, 'QuarantinedError: the record of ' .. key .. ' could not be read (' .. reason .. ') and was moved to the quarantine', now, ttl)
end
`;


/**
 * Lua helpers of concurrency limits (with {@link LUA_PRELUDE}), shared by the acquire and
 * complete scripts, and by the cancel and schedule scripts for `pass_wake`.
 *
 * - `free_places(slots, size, now)` drops the places whose lease lapsed and says how many are free.
 * - `wake_waiters(kprefix, name, free, stream, queue, now)` queues up to `free` runs parked for
 *   the limit `name`, oldest first, as the scheduler would; a waiting entry whose record is no
 *   longer parked for it (cancelled, replaced, already run) is dropped.
 * - `extend(key, ms)` makes the key live at least `ms` more (never shortens a longer life, so
 *   workers with different leases do not cut each other's places short).
 * - `pass_wake(runs, key, limit, size, now)`: a run woken for a place of `limit` (its record
 *   still says `parked`) that leaves without starting (cancelled, replaced) hands the wake on.
 *   It counts the live places but drops none: only workers' clocks end leases.
 */
export const LIMITS_LUA = `
local function free_places(slots, size, now)
  redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
  return size - redis.call('ZCARD', slots)
end
local function wake_waiters(kprefix, name, free, stream, queue, now)
  local waiting = kprefix .. ':waiting:' .. name
  while free > 0 do
    local head = redis.call('ZRANGE', waiting, 0, 0)[1]
    if not head then break end
    redis.call('ZREM', waiting, head)
    local runs = kprefix .. ':runs:' .. head
    local w = redis.call('HMGET', runs, 'state', 'parked', 'gen', 'seq')
    local seq = tonumber(w[4])
    -- A record that cannot be read stays in the queue, where the due-mover quarantines it.
    if w[1] == 'scheduled' and w[2] == name and seq and seq == seq then
      redis.call('ZREM', queue, head)
      seq = seq + 1
      redis.call('HSET', runs, 'state', 'queued', 'when', now, 'seq', seq, 'sseq', seq,
        'msg', redis.call('XADD', stream, '*', 'key', head, 'gen', w[3]))
      publish_state(kprefix .. ':events:' .. head, head, seq, 'queued', {when = now})
      free = free - 1
    end
  end
end
local function extend(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
local function pass_wake(runs, key, limit, size, now)
  if not limit or not size then return end
  -- runs is kprefix .. ':runs:' .. key
  local kprefix = string.sub(runs, 1, #runs - #key - 6)
  -- Counted, not dropped: this runs on a producer's clock, which must not end a worker's lease.
  local free = tonumber(size) - redis.call('ZCOUNT', kprefix .. ':slots:' .. limit, now, '+inf')
  wake_waiters(kprefix, limit, free, kprefix .. ':stream', kprefix .. ':queue', now)
end
`;

/** The script's source as run on a single node, or on a cluster (see {@link LUA_PRELUDE}). */
export function scriptForConnection(lua: string, cluster: boolean): string {
  return cluster ? lua.replace('local EVERY_NODE_MAY_LISTEN = false', 'local EVERY_NODE_MAY_LISTEN = true') : lua;
}
