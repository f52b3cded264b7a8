import { BAD_DATA_LUA, LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Moves an outcome the store refused to record (too large for the server, say, even as a short
 * FAILED) to the quarantine: the run's record, while it is still this run's, is failed in place
 * saying so, and its message is acknowledged and deleted, so that the run is not taken up again.
 *
 * KEYS: 1 stream, 2 runs hash
 * ARGV: 1 group, 2 message id, 3 key, 4 generation, 5 reason, 6 now (ms), 7 the outcome's summary
 *       as JSON, 8 key prefix, 9 executionTtl (ms)
 * Reply: 1
 */
export const quarantineOutcomeScript: ScriptDefinition = {
  name: 'docketQuarantineOutcome',
  numberOfKeys: 2,
  lua: `${LUA_PRELUDE}${BAD_DATA_LUA}
local stream, runs, id, key, reason, now, kprefix = KEYS[1], KEYS[2], ARGV[2], ARGV[3], ARGV[5], tonumber(ARGV[6]), ARGV[8]
local ok, raw = pcall(cjson.decode, ARGV[7])
quarantine(kprefix, 'outcome', reason, id, key, ok and raw or {}, now)
local r = redis.call('HMGET', runs, 'gen', 'state', 'msg')
if r[1] == ARGV[4] and r[2] == 'running' and r[3] == id then
  fail_in_place(kprefix, runs, key, 'OutcomeRefusedError: the outcome of ' .. key .. ' could not be recorded (' .. reason .. ') and was moved to the quarantine', now, tonumber(ARGV[9]))
end
redis.call('XACK', stream, ARGV[1], id)
redis.call('XDEL', stream, id)
return 1
`,
};
