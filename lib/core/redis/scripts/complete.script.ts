import { LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Records the terminal state of a run, publishes it, and only then acknowledges its message:
 * the at-least-once guarantee rests on this being the one place a run's message is acked.
 *
 * KEYS: 1 runs hash, 2 stream
 * ARGV: 1 group, 2 message id, 3 generation, 4 outcome ('completed' | 'failed' | 'cancelled'),
 *       5 now (ms), 6 executionTtl (ms, 0 = delete the record), 7 events channel, 8 key,
 *       9 encoded result ('' = none), 10 error summary, 11 serialized failure (JSON)
 * Reply: the state recorded, or 'superseded' when the record belongs to a newer run (or another
 *        worker already finished this one); the message is acked either way.
 *
 * A run whose cancellation was requested ends CANCELLED whatever the task did.
 */
export const completeScript: ScriptDefinition = {
  name: 'docketComplete',
  numberOfKeys: 2,
  lua: `${LUA_PRELUDE}
local runs, stream, group, id = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local r = redis.call('HMGET', runs, 'gen', 'state', 'seq', 'cancel', 'worker', 'started')
local outcome = 'superseded'
if r[1] == ARGV[3] and r[2] == 'running' then
  outcome = ARGV[4]
  if r[4] == '1' then outcome = 'cancelled' end
  local seq = tonumber(r[3]) + 1
  local now = tonumber(ARGV[5])
  redis.call('HSET', runs, 'state', outcome, 'completed', ARGV[5], 'seq', seq, 'sseq', seq)
  redis.call('HDEL', runs, 'msg', 'cancel')
  local extra = {completedAt = now, worker = r[5], startedAt = tonumber(r[6])}
  if outcome == 'completed' and ARGV[9] ~= '' then redis.call('HSET', runs, 'result', ARGV[9]) end
  if outcome == 'failed' then
    redis.call('HSET', runs, 'error', ARGV[10], 'failure', ARGV[11])
    extra['error'] = ARGV[10]
  end
  publish_state(ARGV[7], ARGV[8], seq, outcome, extra)
  finish_record(runs, tonumber(ARGV[6]))
end
redis.call('XACK', stream, group, id)
redis.call('XDEL', stream, id)
return outcome
`,
};
