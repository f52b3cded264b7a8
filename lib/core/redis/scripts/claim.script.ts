import { LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Claims a batch of delivered stream messages for one worker in one round trip.
 *
 * KEYS: 1 stream, 2.. the runs hash of each message, in order
 * ARGV: 1 group, 2 worker, 3 now (ms), 4 events channel prefix, 5 executionTtl (ms),
 *       then per message: id, key, generation, redelivered ('1' | '0')
 * Reply: per message, { 'run', task, args, attempt, when, generation, cancelRequested }
 *        or { 'skip' } (acknowledged and deleted: superseded, cancelled or already finished)
 *
 * A message runs only if its generation is the record's and the record is queued (or running,
 * for a redelivery of a crashed worker's message, or for this same worker when the client resent
 * the claim after a reply lost to a reconnect: claiming is idempotent). A cancelled record is never claimed, which
 * closes the original's gap where a task cancelled after being streamed still ran. A redelivered
 * message whose run was asked to cancel ends CANCELLED here.
 */
export const claimScript: ScriptDefinition = {
  name: 'docketClaim',
  lua: `${LUA_PRELUDE}
local stream, group, worker, now = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3])
local prefix, ttl = ARGV[4], tonumber(ARGV[5])
local out = {}
for i = 2, #KEYS do
  local runs = KEYS[i]
  local j = 6 + (i - 2) * 4
  local id, key, gen, redelivered = ARGV[j], ARGV[j + 1], ARGV[j + 2], ARGV[j + 3] == '1'
  local r = redis.call('HMGET', runs, 'state', 'gen', 'cancel', 'fn', 'args', 'attempt', 'when', 'seq', 'worker')
  local state = r[1]
  -- A claim resent after a lost reply finds the run already ours: it must still run.
  local runnable = r[2] == gen and (state == 'queued' or (state == 'running' and (redelivered or r[9] == worker)))
  if runnable and r[3] == '1' then
    local seq = tonumber(r[8]) + 1
    redis.call('HSET', runs, 'state', 'cancelled', 'completed', ARGV[3], 'seq', seq, 'sseq', seq)
    redis.call('HDEL', runs, 'msg', 'cancel')
    publish_state(prefix .. key, key, seq, 'cancelled', {completedAt = now})
    finish_record(runs, ttl)
    runnable = false
  end
  if runnable then
    local seq = tonumber(r[8]) + 1
    redis.call('HSET', runs, 'state', 'running', 'worker', worker, 'started', ARGV[3], 'seq', seq, 'sseq', seq)
    publish_state(prefix .. key, key, seq, 'running', {worker = worker, startedAt = now})
    out[#out + 1] = {'run', r[4], r[5], r[6], r[7], gen, r[3] or '0'}
  else
    redis.call('XACK', stream, group, id)
    redis.call('XDEL', stream, id)
    out[#out + 1] = {'skip'}
  end
end
return out
`,
};
