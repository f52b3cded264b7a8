import type { ScriptDefinition } from './script';

/**
 * Writes a run's progress (absolute values, so coalesced updates stay exact) and publishes it.
 *
 * KEYS: 1 runs hash
 * ARGV: 1 generation, 2 now (ms), 3 events channel, 4 current, 5 total, 6 message ('' = none),
 *       7 has message ('1' | '0'), 8 the event as JSON without its closing brace, to which the
 *       script adds `"seq":N}`
 * Reply: 1 when written, 0 when the run is no longer this one (superseded or finished)
 *
 * The worker encodes the event: only the sequence number comes from the record. Encoding it in
 * the script with cjson cost about a sixth of the script's time.
 */
export const progressScript: ScriptDefinition = {
  name: 'docketProgress',
  numberOfKeys: 1,
  lua: `
local runs = KEYS[1]
local r = redis.call('HMGET', runs, 'gen', 'state', 'seq', 'pm')
local seq = tonumber(r[3])
-- A seq that is not a number: the run's outcome quarantines the record; progress is not written.
if r[1] ~= ARGV[1] or r[2] ~= 'running' or not seq or seq ~= seq then return 0 end
seq = seq + 1
redis.call('HSET', runs, 'pc', ARGV[4], 'pt', ARGV[5], 'pu', ARGV[2], 'seq', seq, 'pseq', seq)
if ARGV[7] == '1' then
  redis.call('HSET', runs, 'pm', ARGV[6])
elseif r[4] then
  redis.call('HDEL', runs, 'pm')
end
redis.call('PUBLISH', ARGV[3], ARGV[8] .. ',"seq":' .. seq .. '}')
return 1
`,
};
