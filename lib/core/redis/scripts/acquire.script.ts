import { LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Takes a place of a concurrency limit for a claimed run, or parks the run until one frees up.
 * A worker sends it before starting a task that has a limit (see ConcurrencyOptions).
 *
 * KEYS: 1 runs hash, 2 the limit's places (sorted set of message ids, scored by lease end),
 *       3 the limit's waiting runs (sorted set of keys), 4 stream, 5 queue
 * ARGV: 1 key, 2 generation, 3 message id, 4 limit, 5 now (ms), 6 lease (ms), 7 events channel,
 *       8 consumer group, 9 the limit's name (`task` or `task:value`)
 * Reply: 1 when the run holds a place (taken now, or still its own after a redelivery), 0 when
 *        it was parked, -1 when its record is no longer this run's (replaced meanwhile: it runs
 *        unrecorded, as any replaced run, and takes no place), -2 when its cancel was asked for
 *        since the claim (it ends CANCELLED without starting, instead of waiting to be woken)
 *
 * Places whose lease lapsed (a worker that died holding them) are dropped first. A parked run
 * goes back to SCHEDULED with its message acknowledged and deleted: it waits in the limit's
 * waiting set, woken (queued again) by the complete script when a place frees up, and in the
 * queue as well, due after one lease, in case no run of the limit ever ends to wake it.
 */
export const acquireScript: ScriptDefinition = {
  name: 'docketAcquire',
  numberOfKeys: 5,
  lua: `${LUA_PRELUDE}
local runs, slots, waiting, stream, queue = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local key, gen, id, limit, now, lease = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local r = redis.call('HMGET', runs, 'gen', 'state', 'msg', 'seq', 'parked', 'cancel')
if r[1] ~= gen or r[2] ~= 'running' or r[3] ~= id then return -1 end
if r[6] == '1' then return -2 end
redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
if redis.call('ZSCORE', slots, id) or redis.call('ZCARD', slots) < limit then
  redis.call('ZADD', slots, now + lease, id)
  redis.call('PEXPIRE', slots, lease)
  if r[5] then
    redis.call('HDEL', runs, 'parked')
    redis.call('ZREM', waiting, key)
  end
  return 1
end
local seq, at = tonumber(r[4]) + 1, now + lease
redis.call('ZADD', queue, at, key)
redis.call('ZADD', waiting, 'NX', now, key)
redis.call('PEXPIRE', waiting, lease * 2)
redis.call('HSET', runs, 'state', 'scheduled', 'when', at, 'seq', seq, 'sseq', seq, 'parked', ARGV[9])
redis.call('HDEL', runs, 'msg', 'worker', 'started')
redis.call('XACK', stream, ARGV[8], id)
redis.call('XDEL', stream, id)
publish_state(ARGV[7], key, seq, 'scheduled', {when = at, waitingFor = ARGV[9]})
return 0
`,
};
