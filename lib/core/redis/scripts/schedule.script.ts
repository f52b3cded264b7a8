import { LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Adds or replaces one execution: writes its record, queues it (stream) or parks it (sorted
 * set), and publishes the state event.
 *
 * KEYS: 1 runs hash, 2 stream, 3 queue
 * ARGV: 1 key, 2 mode ('add' | 'replace'), 3 when (ms), 4 now (ms), 5 task name, 6 encoded args,
 *       7 events channel
 * Reply: { status ('ok' | 'exists'), state, generation, when (ms) }
 *
 * `add` leaves a scheduled, queued or running execution alone. `replace` removes the old
 * stream entry or queue member and bumps the generation, so a message of the old run that is
 * already in flight is a no-op at claim and at completion.
 */
export const scheduleScript: ScriptDefinition = {
  name: 'docketSchedule',
  numberOfKeys: 3,
  lua: `${LUA_PRELUDE}
local runs, stream, queue = KEYS[1], KEYS[2], KEYS[3]
local key, mode, when, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local cur = redis.call('HMGET', runs, 'state', 'gen', 'seq', 'msg', 'when')
local state = cur[1]
if mode == 'add' and (state == 'scheduled' or state == 'queued' or state == 'running') then
  return {'exists', state, cur[2] or '0', cur[5] or '0'}
end
if state == 'queued' and cur[4] then redis.call('XDEL', stream, cur[4]) end
if state == 'scheduled' then redis.call('ZREM', queue, key) end
local gen = (tonumber(cur[2]) or 0) + 1
local seq = (tonumber(cur[3]) or 0) + 1
redis.call('DEL', runs)
local new_state = 'scheduled'
if when <= now then
  new_state = 'queued'
  local id = redis.call('XADD', stream, '*', 'key', key, 'gen', gen)
  redis.call('HSET', runs, 'msg', id)
else
  redis.call('ZADD', queue, when, key)
end
redis.call('HSET', runs, 'state', new_state, 'fn', ARGV[5], 'args', ARGV[6], 'when', ARGV[3],
  'gen', gen, 'seq', seq, 'sseq', seq)
publish_state(ARGV[7], key, seq, new_state, {when = when})
return {'ok', new_state, tostring(gen), ARGV[3]}
`,
};
