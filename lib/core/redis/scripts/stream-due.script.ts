import { LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Moves due executions from the queue (sorted set) to the stream.
 *
 * KEYS: 1 queue, 2 stream
 * ARGV: 1 now (ms), 2 most to move, 3 key prefix
 * Reply: how many were moved
 *
 * The runs hashes are named from the prefix inside the script. They share the docket's prefix,
 * so with a `{name}` hash tag they live in the queue's cluster slot. Unlike the original, the
 * new stream id is recorded, so a cancel after the move still finds and removes the message.
 */
export const streamDueScript: ScriptDefinition = {
  name: 'docketStreamDue',
  numberOfKeys: 2,
  lua: `${LUA_PRELUDE}
local queue, stream, prefix = KEYS[1], KEYS[2], ARGV[3]
local due = redis.call('ZRANGEBYSCORE', queue, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local moved = 0
for _, key in ipairs(due) do
  local runs = prefix .. ':runs:' .. key
  local r = redis.call('HMGET', runs, 'state', 'gen', 'seq', 'when')
  if r[1] == 'scheduled' then
    local id = redis.call('XADD', stream, '*', 'key', key, 'gen', r[2])
    local seq = tonumber(r[3]) + 1
    redis.call('HSET', runs, 'state', 'queued', 'msg', id, 'seq', seq, 'sseq', seq)
    publish_state(prefix .. ':events:' .. key, key, seq, 'queued', {when = tonumber(r[4])})
    moved = moved + 1
  end
  redis.call('ZREM', queue, key)
end
return moved
`,
};
