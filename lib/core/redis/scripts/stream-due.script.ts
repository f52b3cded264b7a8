import { BAD_DATA_LUA, LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Moves due executions from the queue (sorted set) to the stream.
 *
 * KEYS: 1 queue, 2 stream
 * ARGV: 1 now (ms), 2 most to move, 3 key prefix, 4 executionTtl (ms)
 * Reply: { how many members it took off the queue (moved, dropped, or quarantined), then the key
 *        and reason of each one quarantined }: fewer than the most to move means none is due any more
 *
 * A member whose record cannot be read (a state that is none of ours, or a scheduled record
 * whose seq is not a number) is taken off the queue and quarantined before anything is written
 * for it, and a FAILED record says why (see poison_record); the rest of the batch moves on.
 *
 * The runs hashes are named from the prefix inside the script. They share the docket's prefix,
 * so with a `{name}` hash tag they live in the queue's cluster slot. Unlike the original, the
 * new stream id is recorded, so a cancel after the move still finds and removes the message.
 */
export const streamDueScript: ScriptDefinition = {
  name: 'docketStreamDue',
  numberOfKeys: 2,
  lua: `${LUA_PRELUDE}${BAD_DATA_LUA}
local queue, stream, prefix, now, ttl = KEYS[1], KEYS[2], ARGV[3], tonumber(ARGV[1]), tonumber(ARGV[4])
local due = redis.call('ZRANGEBYSCORE', queue, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {#due}
local function poison(runs, key, reason)
  poison_record(prefix, runs, key, reason, '', now, ttl)
  out[#out + 1] = key
  out[#out + 1] = reason
end
for _, key in ipairs(due) do
  local runs = prefix .. ':runs:' .. key
  local r = redis.call('HMGET', runs, 'state', 'gen', 'seq', 'when')
  redis.call('ZREM', queue, key)
  if r[1] and not known_state(r[1]) then
    poison(runs, key, 'its state is none of ours')
  elseif r[1] == 'scheduled' and not (count(r[3]) and r[2]) then
    poison(runs, key, 'its seq or gen is missing or not a number')
  elseif r[1] == 'scheduled' then
    local id = redis.call('XADD', stream, '*', 'key', key, 'gen', r[2])
    local seq = tonumber(r[3]) + 1
    redis.call('HSET', runs, 'state', 'queued', 'msg', id, 'seq', seq, 'sseq', seq)
    publish_state(prefix .. ':events:' .. key, key, seq, 'queued', {when = count(r[4])})
  end
end
return out
`,
};
