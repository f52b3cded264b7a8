import { BAD_DATA_LUA, LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * The claim of one delivered message, shared by both claim scripts.
 *
 * A message runs only if it is the record's message, its generation is the record's, and the record is queued (or running,
 * for a redelivery of a crashed worker's message, or for this same worker when the client resent
 * the claim after a reply lost to a reconnect: claiming is idempotent). A cancelled record is
 * never claimed, which closes the original's gap where a task cancelled after being streamed
 * still ran. A redelivered message whose run was asked to cancel ends CANCELLED here. Anything
 * not run is acknowledged and deleted at once, except with `queued_only`, where a message whose
 * record is not queued for it is left alone ('held') for the flow that holds it.
 *
 * A message without a key is quarantined; so is a record that cannot be read (a state that is
 * none of ours; for the run to claim, a seq, when or attempt that is not a number, or no task or
 * arguments), which is left FAILED in its place. Either way the message is acknowledged and
 * deleted, and the reply says { 'quarantined', id, key, reason }: the rest of the batch goes on.
 */
const CLAIM_ONE = `
local function drop_message(stream, group, id)
  redis.call('XACK', stream, group, id)
  redis.call('XDEL', stream, id)
end
local function claim_one(kprefix, stream, group, worker, now_s, ttl, runs, channel, id, key, gen, redelivered, queued_only, listened)
  local now = tonumber(now_s)
  if key == '' then
    quarantine(kprefix, 'message', 'a stream entry without a key', id, '', redis.call('XRANGE', stream, id, id)[1] or {}, now)
    drop_message(stream, group, id)
    return {'quarantined', id, '', 'a stream entry without a key'}
  end
  local r = redis.call('HMGET', runs, 'state', 'gen', 'cancel', 'fn', 'args', 'attempt', 'when', 'seq', 'worker', 'reply', 'msg', 'tc')
  local state = r[1]
  local bad = nil
  if state and not known_state(state) then bad = 'its state is none of ours'
  elseif r[2] == gen and (state == 'queued' or state == 'running') then
    if not count(r[8]) then bad = 'its seq is not a number'
    elseif not count(r[7]) then bad = 'its when is not a number'
    elseif r[6] and not count(r[6]) then bad = 'its attempt is not a number'
    elseif not r[4] or not r[5] then bad = 'it has no task or arguments' end
  end
  if bad then
    poison_record(kprefix, runs, key, bad, id, now, ttl)
    drop_message(stream, group, id)
    return {'quarantined', id, key, bad}
  end
  if queued_only and (r[2] ~= gen or state ~= 'queued') then return {'held', id} end
  -- The record names the one message that runs it: a second entry for the same run never does.
  local runnable = r[2] == gen and r[11] == id and (state == 'queued' or (state == 'running' and (redelivered or r[9] == worker)))
  if runnable and r[3] == '1' then
    local seq = tonumber(r[8]) + 1
    redis.call('HSET', runs, 'state', 'cancelled', 'completed', now_s, 'seq', seq, 'sseq', seq)
    redis.call('HDEL', runs, 'msg', 'cancel')
    publish_state(channel, key, seq, 'cancelled', {completedAt = now, gen = tonumber(gen)}, r[10])
    finish_record(runs, ttl)
    runnable = false
  end
  if runnable then
    local seq = tonumber(r[8]) + 1
    redis.call('HSET', runs, 'state', 'running', 'worker', worker, 'started', now_s, 'seq', seq, 'sseq', seq)
    publish_state(channel, key, seq, 'running', {worker = worker, startedAt = now, attempt = tonumber(r[6] or '1')}, nil, listened)
    return {'run', id, key, gen, r[4], r[5], r[6] or '1', r[7], r[3] or '0', r[12] or ''}
  end
  drop_message(stream, group, id)
  return {'skip', id, key, gen}
end
`;

/**
 * Claims a batch of delivered stream messages for one worker in one round trip.
 *
 * KEYS: 1 stream, 2.. the runs hash of each message, in order
 * ARGV: 1 group, 2 worker, 3 now (ms), 4 events channel prefix, 5 executionTtl (ms),
 *       then per message: id, key, generation, redelivered ('1' | '0')
 * Reply: per message, { 'run', id, key, generation, task, args, attempt, when, cancelRequested,
 *        trace context ('' for none) },
 *        { 'skip', id, key, generation } or { 'quarantined', id, key, reason }
 */
export const claimScript: ScriptDefinition = {
  name: 'docketClaim',
  lua: `${LUA_PRELUDE}${BAD_DATA_LUA}${CLAIM_ONE}
local stream, group, worker, prefix, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[4], tonumber(ARGV[5])
local kprefix = string.sub(prefix, 1, #prefix - 8)
local out = {}
for i = 2, #KEYS do
  local j = 6 + (i - 2) * 4
  local key = ARGV[j + 1]
  out[#out + 1] = claim_one(kprefix, stream, group, worker, ARGV[3], ttl, KEYS[i], prefix .. key, ARGV[j], key, ARGV[j + 2], ARGV[j + 3] == '1')
end
return out
`,
};

/**
 * Reads up to `count` messages for a worker and claims them, in one round trip. With `from`
 * '>' it reads new messages: the busy worker's fetch. With a stream id it reads the messages
 * already delivered to this worker after that id: an idle worker sends this right behind its
 * blocking XREADGROUP on the same connection, so Redis claims what the read delivered the
 * moment it is delivered, with no round trip in between. In that mode it claims only messages
 * whose record is still queued for them; anything else in the worker's pending list (taken over
 * by its sweep, or being finished) is left to the flow that holds it.
 *
 * KEYS: 1 stream
 * ARGV: 1 group, 2 worker, 3 now (ms; '' = Redis's clock, for a claim that runs after a wait),
 *       4 key prefix, 5 executionTtl (ms), 6 count, 7 from ('>' or a stream id)
 * Reply: as {@link claimScript}, one entry per message read (empty when none was waiting; a
 *        message without a key is quarantined), plus
 *        { 'gone', id } for a message deleted since delivery (acked here) and { 'held', id }
 *        for one left alone; entries are in stream order
 *
 * The runs hashes are named from the prefix inside the script; with a `{name}` hash tag they
 * share the stream's cluster slot.
 */
export const claimNextScript: ScriptDefinition = {
  name: 'docketClaimNext',
  numberOfKeys: 1,
  lua: `${LUA_PRELUDE}${BAD_DATA_LUA}${CLAIM_ONE}
local stream, group, worker, prefix, ttl, from = KEYS[1], ARGV[1], ARGV[2], ARGV[4], tonumber(ARGV[5]), ARGV[7]
local now_s = ARGV[3]
if now_s == '' then
  local t = redis.call('TIME')
  now_s = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
end
local read = redis.call('XREADGROUP', 'GROUP', group, worker, 'COUNT', ARGV[6], 'STREAMS', stream, from)
local out = {}
if not read or not read[1] then return out end
local entries, channels = read[1][2], {}
for n, entry in ipairs(entries) do
  local fields, key = entry[2], ''
  if fields then
    for i = 1, #fields, 2 do
      if fields[i] == 'key' then key = fields[i + 1] end
    end
    if key ~= '' then channels[#channels + 1] = prefix .. ':events:' .. key end
  end
  entries[n] = {entry[1], fields, key}
end
local listened = listened_channels(channels)
for _, entry in ipairs(entries) do
  local id, fields, key, gen = entry[1], entry[2], entry[3], '0'
  if not fields then
    -- Deleted since it was delivered (cancelled or replaced): nothing to run.
    redis.call('XACK', stream, group, id)
    out[#out + 1] = {'gone', id}
  else
    for i = 1, #fields, 2 do
      if fields[i] == 'gen' then gen = fields[i + 1] end
    end
    local channel = prefix .. ':events:' .. key
    out[#out + 1] = claim_one(prefix, stream, group, worker, now_s, ttl, prefix .. ':runs:' .. key, channel, id, key, gen, false, from ~= '>', listened[channel] or false)
  end
end
return out
`,
};
