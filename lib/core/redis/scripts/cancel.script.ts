import { BAD_DATA_LUA, LIMITS_LUA, LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Cancels one execution.
 *
 * KEYS: 1 runs hash, 2 stream, 3 queue
 * ARGV: 1 key, 2 now (ms), 3 executionTtl (ms), 4 events channel, 5 cancel channel, 6 group
 * Reply: 'cancelled' (it will never run), 'cancelling' (it is running: its worker was told to
 *        abort it and will record CANCELLED), 'missing', or the terminal state it already had
 *        ('failed' too for a record that cannot be read, which is quarantined: see poison_record).
 *
 * Unlike the original, cancelling work that is not running publishes a CANCELLED state event,
 * so subscribers and getResult() waiters learn of it at once. A run queued by a wake of its
 * concurrency limit hands the wake on to the next run waiting.
 */
export const cancelScript: ScriptDefinition = {
  name: 'docketCancel',
  numberOfKeys: 3,
  lua: `${LUA_PRELUDE}${BAD_DATA_LUA}${LIMITS_LUA}
local runs, stream, queue, key = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local r = redis.call('HMGET', runs, 'state', 'msg', 'seq', 'reply', 'gen', 'parked', 'psize')
local state = r[1]
if not state then return 'missing' end
if not known_state(state) or not count(r[3]) then
  -- runs is kprefix .. ':runs:' .. key
  poison_record(string.sub(runs, 1, #runs - #key - 6), runs, key, 'its state or seq cannot be read', r[2] or '', tonumber(ARGV[2]), tonumber(ARGV[3]))
  return 'failed'
end
if state == 'completed' or state == 'failed' or state == 'cancelled' then return state end
if state == 'running' then
  redis.call('HSET', runs, 'cancel', '1')
  redis.call('PUBLISH', ARGV[5], key)
  return 'cancelling'
end
if state == 'scheduled' then redis.call('ZREM', queue, key) end
if state == 'queued' and r[2] then
  redis.call('XDEL', stream, r[2])
  redis.pcall('XACK', stream, ARGV[6], r[2])
end
local seq = tonumber(r[3]) + 1
redis.call('HSET', runs, 'state', 'cancelled', 'completed', ARGV[2], 'seq', seq, 'sseq', seq)
redis.call('HDEL', runs, 'msg')
publish_state(ARGV[4], key, seq, 'cancelled', {completedAt = tonumber(ARGV[2]), gen = tonumber(r[5])}, r[4])
finish_record(runs, tonumber(ARGV[3]))
if state == 'queued' then pass_wake(runs, key, r[6], r[7], tonumber(ARGV[2])) end
return 'cancelled'
`,
};
