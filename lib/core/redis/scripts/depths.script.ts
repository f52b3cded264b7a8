import type { ScriptDefinition } from './script';

/**
 * Reads how much work a docket holds, for the depth gauges and the health check: one round trip
 * that changes nothing.
 *
 * Entries leave the stream when their run's outcome is acknowledged (every script that acks
 * deletes), so the stream's length less the group's pending count is what no worker has taken yet.
 *
 * KEYS: 1 stream, 2 queue, 3 workers
 * ARGV: 1 consumer group, 2 now (ms), 3 the oldest heartbeat that counts (ms)
 * Reply: { undelivered, pending, scheduled (all of the queue), due (of the queue, by now),
 *          the first undelivered entry's id or '', the earliest due score of the queue or '',
 *          live workers }
 */
export const depthsScript: ScriptDefinition = {
  name: 'docketDepths',
  numberOfKeys: 3,
  lua: `
local stream, queue, workers = KEYS[1], KEYS[2], KEYS[3]
local length = redis.call('XLEN', stream)
local pending, last = 0, nil
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
if ok then
  for _, g in ipairs(groups) do
    local f = {}
    for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
    if f['name'] == ARGV[1] then pending, last = tonumber(f['pending']) or 0, f['last-delivered-id'] end
  end
end
local first = ''
if length > pending then
  local from = last and ('(' .. last) or '-'
  local entries = redis.call('XRANGE', stream, from, '+', 'COUNT', 1)
  if entries[1] then first = entries[1][1] end
end
local due_first = redis.call('ZRANGE', queue, '-inf', ARGV[2], 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
return {
  math.max(0, length - pending), pending, redis.call('ZCARD', queue), redis.call('ZCOUNT', queue, '-inf', ARGV[2]),
  first, due_first[2] or '', redis.call('ZCOUNT', workers, ARGV[3], '+inf')
}
`,
};
