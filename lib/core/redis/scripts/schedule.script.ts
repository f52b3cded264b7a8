import { LIMITS_LUA, LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Adds or replaces a batch of executions (one, or every add of one tick, or a chunk of
 * `addMany`): writes each record, queues it (stream) or parks it (sorted set), and publishes
 * its state event.
 *
 * KEYS: 1 stream, 2 queue, 3.. the runs hash of each execution, in order
 * ARGV: 1 now (ms), 2 events channel prefix, 3 consumer group,
 *       then per execution: key, mode ('new' | 'again' | 'add' | 'replace'), when (ms), task name,
 *       encoded args, reply (the adding process's result inbox channel, or ''), send token (unique
 *       per send of an add or replace under a caller's key; '' otherwise), trace context (the
 *       producer span's propagated fields as JSON, kept as the record's 'tc'; '' for none),
 *       cooldown group ('' for none; see DocketKeys.cooldown), cooldown window (ms), and how a
 *       perpetual or cron task repeats (words, kept as the record's 'rec' so that snapshot and
 *       watch can say it before the first run ends; '' for a one-off task)
 * Reply: per execution, its new generation (an integer: it is queued when `when` ≤ now, else
 *        scheduled), { 'exists', state, generation, when (ms) } when it was left alone, or
 *        { 'cooled' } when it came within the cooldown of its group (SET NX PX: the first call of a
 *        window sets the marker and is written; the others find it and are dropped). The
 *        integer is the common case: a reply of nested arrays costs Redis ~15 % more per add.
 *
 * ioredis sends a command again when a dropped connection lost its answer; the same send coming
 * again is answered as the first time, with the record's generation, and changes nothing, so a
 * resent add is not reported as someone else's and a resent replace does not replace the run it
 * just started. Under a caller's key the record keeps the tokens of the last four sends that
 * wrote it (a batch may replace one key twice), and a send is known by its token; a prepared call
 * keeps its token, so sent again by its caller it is known too. A generated key (`new`) needs no
 * token: nothing but this very send can have written its record, since a prepared call sent
 * again by its caller goes as `again`.
 *
 * The record is written new (an old one is deleted first), so it has no 'sseq': a record's state
 * seq is its 'seq' until a later script writes 'sseq' beside a progress 'pseq' (8 bytes less per
 * waiting execution; see execution-record.ts).
 *
 * `add` leaves a scheduled, queued or running execution alone. `new` is the first send of an add
 * under a key the producer generated; as nobody can be subscribed to that key's channel yet, its
 * first event is published only for a pattern subscriber. `again` is a later send of the same
 * prepared call: any record under its key says 'exists', even for a finished run. `replace`
 * removes the old stream entry or queue member and bumps the generation, so a message of the
 * old run that is already in flight is a no-op at claim and at completion; the result inbox
 * that was waiting for the old run is told it was superseded.
 */
export const scheduleScript: ScriptDefinition = {
  name: 'docketSchedule',
  lua: `${LUA_PRELUDE}${LIMITS_LUA}
local stream, queue, now, prefix, group = KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2], ARGV[3]
local kprefix = string.sub(prefix, 1, #prefix - 8)
local out, NONE = {}, {}
local function write_record(runs, reply, tokens, ...)
  if reply ~= '' and tokens ~= '' then redis.call('HSET', runs, 'reply', reply, 'tok', tokens, ...)
  elseif reply ~= '' then redis.call('HSET', runs, 'reply', reply, ...)
  elseif tokens ~= '' then redis.call('HSET', runs, 'tok', tokens, ...)
  else redis.call('HSET', runs, ...) end
end
-- The record's 'tok' lists the sends that wrote its key lately, newest first: 'token=gen ...'.
local function sent_gen(tokens, token)
  if token == '' or not tokens then return nil end
  local _, e = string.find(' ' .. tokens, ' ' .. token .. '=', 1, true)
  if e then return tonumber(string.match(' ' .. tokens, '^%d+', e + 1)) end
end
local function with_token(tokens, token, gen)
  if token == '' then return '' end
  local kept = {token .. '=' .. gen}
  for entry in string.gmatch(tokens or '', '%S+') do
    if #kept < 4 then kept[#kept + 1] = entry end
  end
  return table.concat(kept, ' ')
end
for i = 3, #KEYS do
  local runs = KEYS[i]
  local j = 4 + (i - 3) * 11
  local key, mode, when_s, token = ARGV[j], ARGV[j + 1], ARGV[j + 2], ARGV[j + 6]
  local generated = mode == 'new' or mode == 'again'
  local announce = not generated or announce_to_patterns()
  local when = tonumber(when_s)
  -- A generated key almost never has a record: EXISTS is the cheaper question.
  local cur = NONE
  if not generated or redis.call('EXISTS', runs) == 1 then
    cur = redis.call('HMGET', runs, 'state', 'gen', 'seq', 'msg', 'when', 'reply', 'tok', 'parked', 'psize')
  end
  local state = cur[1]
  local sent = sent_gen(cur[7], token)
  if sent then
    out[#out + 1] = sent
  elseif mode == 'new' and state then
    out[#out + 1] = tonumber(cur[2]) or 0
  elseif (mode == 'again' and state) or (mode == 'add' and (state == 'scheduled' or state == 'queued' or state == 'running')) then
    out[#out + 1] = {'exists', state, cur[2] or '0', cur[5] or '0'}
  elseif ARGV[j + 8] ~= '' and not redis.call('SET', kprefix .. ':cooldown:' .. ARGV[j + 8], '1', 'NX', 'PX', ARGV[j + 9]) then
    -- Within the cooldown of an earlier call of its group: dropped, nothing written.
    out[#out + 1] = {'cooled'}
  else
    local gen = (tonumber(cur[2]) or 0) + 1
    local seq = (tonumber(cur[3]) or 0) + 1
    local tokens = with_token(cur[7], token, gen)
    if state then
      if cur[6] and (state == 'scheduled' or state == 'queued' or state == 'running') then
        redis.call('PUBLISH', cur[6], cjson.encode({type = 'superseded', key = key, gen = tonumber(cur[2])}))
      end
      if state == 'queued' and cur[4] then
        -- Acked too: a worker may hold it delivered but not yet claimed.
        redis.call('XDEL', stream, cur[4])
        redis.pcall('XACK', stream, group, cur[4])
        -- Queued by a wake of its concurrency limit: the wake goes to the next run waiting.
        pass_wake(runs, key, cur[8], cur[9], now)
      end
      if state == 'scheduled' then redis.call('ZREM', queue, key) end
      redis.call('DEL', runs)
    end
    if when <= now then
      local id = redis.call('XADD', stream, '*', 'key', key, 'gen', gen)
      write_record(runs, ARGV[j + 5], tokens, 'state', 'queued', 'fn', ARGV[j + 3], 'args', ARGV[j + 4], 'when', when_s,
        'gen', gen, 'seq', seq, 'msg', id)
      if announce then publish_state(prefix .. key, key, seq, 'queued', {when = when}) end
    else
      redis.call('ZADD', queue, when, key)
      write_record(runs, ARGV[j + 5], tokens, 'state', 'scheduled', 'fn', ARGV[j + 3], 'args', ARGV[j + 4], 'when', when_s,
        'gen', gen, 'seq', seq)
      if announce then publish_state(prefix .. key, key, seq, 'scheduled', {when = when}) end
    end
    if ARGV[j + 7] ~= '' then redis.call('HSET', runs, 'tc', ARGV[j + 7]) end
    if ARGV[j + 10] ~= '' then redis.call('HSET', runs, 'rec', ARGV[j + 10]) end
    out[#out + 1] = gen
  end
end
return out
`,
};
