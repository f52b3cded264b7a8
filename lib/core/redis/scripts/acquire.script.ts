import { BAD_DATA_LUA, LIMITS_LUA, LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Takes a place of a concurrency limit for a claimed run, or parks the run until one frees up.
 * A worker sends it before starting a task that has a limit (see ConcurrencyOptions).
 *
 * KEYS: 1 runs hash, 2 the limit's places (sorted set of message ids, scored by lease end),
 *       3 the limit's waiting runs (sorted set of keys), 4 stream, 5 queue
 * ARGV: 1 key, 2 generation, 3 message id, 4 limit, 5 now (ms), 6 lease (ms), 7 events channel,
 *       8 consumer group, 9 the limit's name (`task` or `task:value`), 10 key prefix
 * Reply: 1 when the run holds a place (taken now, or still its own after a redelivery), 0 when
 *        it was parked (also when this very call comes again after its answer was lost), -1 when
 *        its record is no longer this run's (replaced or taken up elsewhere meanwhile: it must
 *        not start), -2 when its cancel was asked for since the claim (it ends CANCELLED without
 *        starting). A run that does not start after a wake hands the wake on to the next waiter.
 *
 * Places whose lease lapsed (a worker that died holding them) are dropped first. A parked run
 * goes back to SCHEDULED with its message acknowledged and deleted: it waits in the limit's
 * waiting set, woken (queued again) by the complete script when a place frees up, and in the
 * queue as well, due after one lease (a minute at most), in case no run of the limit ends to
 * wake it. The order is first come, first served among the woken, but not strict: a new run may
 * take a freed place before a woken one reaches it, and the woken one waits again.
 */
export const acquireScript: ScriptDefinition = {
  name: 'docketAcquire',
  numberOfKeys: 5,
  lua: `${LUA_PRELUDE}${BAD_DATA_LUA}${LIMITS_LUA}
local runs, slots, waiting, stream, queue = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local key, gen, id, limit, now, lease = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local name, kprefix = ARGV[9], ARGV[10]
local r = redis.call('HMGET', runs, 'gen', 'state', 'msg', 'seq', 'parked', 'cancel')
if r[1] == gen and r[2] == 'scheduled' and r[5] == name and not r[3] then return 0 end
-- A record whose seq is not a number is not started; its outcome quarantines it.
local stale = r[1] ~= gen or r[2] ~= 'running' or r[3] ~= id or not count(r[4])
if stale or r[6] == '1' then
  -- It does not start: a wake it may have had goes on to the next waiter.
  wake_waiters(kprefix, name, free_places(slots, limit, now), stream, queue, now)
  return stale and -1 or -2
end
if redis.call('ZSCORE', slots, id) or free_places(slots, limit, now) > 0 then
  redis.call('ZADD', slots, now + lease, id)
  extend(slots, lease)
  if r[5] then
    redis.call('HDEL', runs, 'parked', 'psize')
    redis.call('ZREM', waiting, key)
  end
  return 1
end
local seq, at = tonumber(r[4]) + 1, now + math.min(lease, 60000)
redis.call('ZADD', queue, at, key)
redis.call('ZADD', waiting, 'NX', now, key)
extend(waiting, lease * 2)
redis.call('HSET', runs, 'state', 'scheduled', 'when', at, 'seq', seq, 'sseq', seq, 'parked', name, 'psize', limit)
redis.call('HDEL', runs, 'msg', 'worker', 'started')
redis.call('XACK', stream, ARGV[8], id)
redis.call('XDEL', stream, id)
publish_state(ARGV[7], key, seq, 'scheduled', {when = at, waitingFor = name})
return 0
`,
};
