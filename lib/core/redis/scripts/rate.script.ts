import { LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Admits a claimed run under its task's rate limit, or holds it back, in one step at the claim
 * (where a run is known to start now, which is what a rate limit counts): a sliding window of the
 * runs admitted in the last `per` ms, one member per admitted message.
 *
 * KEYS: 1 the runs hash, 2 the window (a sorted set of message ids by admission time), 3 stream,
 *       4 queue
 * ARGV: 1 key, 2 generation, 3 message id, 4 limit, 5 per (ms), 6 now (ms), 7 drop ('1' | '0'),
 *       8 events channel, 9 consumer group, 10 executionTtl (ms), 11 the limit's name (for
 *       waitingFor)
 * Reply: 'admitted'; 'later' (SCHEDULED again at the next free slot: when the oldest admission
 *        leaves the window, with waitingFor 'rate limit <name>'); 'dropped' (over the limit with
 *        `drop`: CANCELLED, with its event); 'replaced' (the record moved on). Anything but
 *        'admitted' acknowledges and deletes the message.
 */
export const rateScript: ScriptDefinition = {
  name: 'docketRate',
  numberOfKeys: 4,
  lua: `${LUA_PRELUDE}
local runs, window, stream, queue = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local key, gen, id, limit, per, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local r = redis.call('HMGET', runs, 'gen', 'state', 'msg', 'seq', 'reply')
local seq = tonumber(r[4])
local function drop_message()
  redis.call('XACK', stream, ARGV[9], id)
  redis.call('XDEL', stream, id)
end
if r[1] ~= gen or r[2] ~= 'running' or r[3] ~= id or not seq then
  drop_message()
  return 'replaced'
end
redis.call('ZREMRANGEBYSCORE', window, '-inf', now - per)
if redis.call('ZCARD', window) < limit then
  redis.call('ZADD', window, now, id)
  redis.call('PEXPIRE', window, per * 2)
  return 'admitted'
end
seq = seq + 1
drop_message()
if ARGV[7] == '1' then
  redis.call('HSET', runs, 'state', 'cancelled', 'completed', now, 'seq', seq, 'sseq', seq)
  redis.call('HDEL', runs, 'msg', 'worker', 'started')
  publish_state(ARGV[8], key, seq, 'cancelled', {completedAt = now, gen = tonumber(gen)}, r[5])
  finish_record(runs, tonumber(ARGV[10]))
  return 'dropped'
end
local oldest = redis.call('ZRANGE', window, 0, 0, 'WITHSCORES')
local at = math.max(now + 1, tonumber(oldest[2]) + per)
local waits = 'rate limit ' .. ARGV[11]
redis.call('ZADD', queue, at, key)
redis.call('HSET', runs, 'state', 'scheduled', 'when', at, 'seq', seq, 'sseq', seq, 'waits', waits)
redis.call('HDEL', runs, 'msg', 'worker', 'started')
publish_state(ARGV[8], key, seq, 'scheduled', {when = at, waitingFor = waits})
return 'later'
`,
};
