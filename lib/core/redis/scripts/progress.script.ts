import type { ScriptDefinition } from './script';

/**
 * Writes a run's progress (absolute values, so coalesced updates stay exact) and publishes it.
 *
 * KEYS: 1 runs hash
 * ARGV: 1 generation, 2 now (ms), 3 events channel, 4 key, 5 current, 6 total,
 *       7 message ('' = none), 8 has message ('1' | '0')
 * Reply: 1 when written, 0 when the run is no longer this one (superseded or finished)
 */
export const progressScript: ScriptDefinition = {
  name: 'docketProgress',
  numberOfKeys: 1,
  lua: `
local runs = KEYS[1]
local r = redis.call('HMGET', runs, 'gen', 'state', 'seq', 'pm')
if r[1] ~= ARGV[1] or r[2] ~= 'running' then return 0 end
local seq = tonumber(r[3]) + 1
redis.call('HSET', runs, 'pc', ARGV[5], 'pt', ARGV[6], 'pu', ARGV[2], 'seq', seq, 'pseq', seq)
local message = cjson.null
if ARGV[8] == '1' then
  redis.call('HSET', runs, 'pm', ARGV[7])
  message = ARGV[7]
elseif r[4] then
  redis.call('HDEL', runs, 'pm')
end
redis.call('PUBLISH', ARGV[3], cjson.encode({type = 'progress', key = ARGV[4], seq = seq,
  current = tonumber(ARGV[5]), total = tonumber(ARGV[6]), message = message, updatedAt = tonumber(ARGV[2])}))
return 1
`,
};
