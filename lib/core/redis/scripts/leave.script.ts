import { BAD_DATA_LUA, LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Puts a claimed run back for another worker: the worker that claimed it does not have its task
 * (a rolling deploy that adds a task, say). The run goes back to SCHEDULED, due at `at`, saying
 * what it waits for; its message is acknowledged and deleted, and the due-mover queues it again
 * for whichever worker claims it next. How often it was put back is counted (`unknown`), and
 * since when no live worker had its task (`usince`, '' = one had it).
 *
 * KEYS: 1 runs hash, 2 stream, 3 queue
 * ARGV: 1 key, 2 generation, 3 message id, 4 at (ms), 5 since (ms, or ''), 6 now (ms),
 *       7 events channel, 8 consumer group, 9 what it waits for
 * Reply: 1 when put back, 0 when the record is no longer this run's (it must not start),
 *        -2 when its cancel was asked for (it ends CANCELLED without starting)
 */
export const leaveScript: ScriptDefinition = {
  name: 'docketLeave',
  numberOfKeys: 3,
  lua: `${LUA_PRELUDE}${BAD_DATA_LUA}
local runs, stream, queue = KEYS[1], KEYS[2], KEYS[3]
local key, gen, id, at = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local r = redis.call('HMGET', runs, 'gen', 'state', 'msg', 'seq', 'cancel', 'unknown')
local seq = count(r[4])
if r[1] ~= gen or r[2] ~= 'running' or r[3] ~= id or not seq then return 0 end
if r[5] == '1' then return -2 end
seq = seq + 1
redis.call('HSET', runs, 'state', 'scheduled', 'when', at, 'seq', seq, 'sseq', seq, 'unknown', (count(r[6]) or 0) + 1, 'waits', ARGV[9])
if ARGV[5] == '' then redis.call('HDEL', runs, 'usince') else redis.call('HSET', runs, 'usince', ARGV[5]) end
redis.call('HDEL', runs, 'msg', 'worker', 'started')
redis.call('ZADD', queue, at, key)
redis.call('XACK', stream, ARGV[8], id)
redis.call('XDEL', stream, id)
publish_state(ARGV[7], key, seq, 'scheduled', {when = at, waitingFor = ARGV[9]})
return 1
`,
};
