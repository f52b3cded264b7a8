import { BAD_DATA_LUA, LIMITS_LUA, LUA_PRELUDE, type ScriptDefinition } from './script';

/**
 * Records the terminal state of a batch of runs, publishes each, and only then acknowledges
 * their messages: the at-least-once guarantee rests on this being the one place a finished run's
 * message is acked. One call serves every run that finished in the same tick.
 *
 * KEYS: 1 stream, 2 queue, 3.. the runs hash of each run, in order
 * ARGV: 1 group, 2 now (ms), 3 executionTtl (ms, 0 = delete the record), 4 events channel prefix,
 *       5 key prefix,
 *       then per run: message id, generation, outcome ('completed' | 'failed' | 'cancelled'),
 *       key, encoded result ('' = none), error summary, serialized failure (JSON), for a
 *       failure to be tried again its time (ms; '' = final), and for a perpetual task's run that
 *       ended the due time of the next run (ms; '' = none) and how it repeats (words): the record
 *       then becomes that run, a new generation under the same key, queued or scheduled, with its
 *       event, and keeps how it repeats and this run's outcome and time ('rec', 'lo', 'lt');
 *       then, for each run that holds a place of a concurrency limit (most hold none, and cost
 *       nothing here): its position in the batch (1-based), the limit's name and its size
 * Reply: per run, the state recorded ('queued' or 'scheduled' for a retry), 'quarantined' when its
 *        record could not be read (see poison_record), or 'superseded' when the record belongs to a newer run,
 *        another worker already finished this one, or it runs another message (the same key added
 *        again after a fire-and-forget record was removed starts again at generation 1, so an
 *        outcome resent late must also name the message); every message is acked either way.
 *
 * A retry is queued again (or scheduled, when it waits), as an add would be, with the attempt
 * counted up, the error kept and the old message acked; its event is not terminal, so it goes to
 * no result inbox. A run whose cancellation was requested ends CANCELLED whatever the task did. The terminal event
 * carries the encoded result or failure (up to 64 KiB) for the waiters of getResult(); parseEvent
 * keeps it off the public event. It also goes to the result inbox of the process that added the
 * run, when it asked for one.
 *
 * A run that held a place of a concurrency limit gives it up, whatever became of it (superseded
 * too), and as many runs as there are free places are woken from the limit's waiting set: queued
 * again, as the scheduler would. A waiting entry whose record is no longer parked for this limit
 * (cancelled, replaced, or already run) is dropped.
 */
export const completeScript: ScriptDefinition = {
  name: 'docketComplete',
  lua: `${LUA_PRELUDE}${BAD_DATA_LUA}${LIMITS_LUA}
local stream, queue, group, now, ttl, prefix, kprefix = KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local STRIDE = 10
local function release_and_wake(name, size, id)
  local slots = kprefix .. ':slots:' .. name
  redis.call('ZREM', slots, id)
  wake_waiters(kprefix, name, free_places(slots, tonumber(size), now), stream, queue, now)
end
local places = {}
for p = 6 + (#KEYS - 2) * STRIDE, #ARGV, 3 do places[tonumber(ARGV[p])] = p end
local FIELDS = {'gen', 'state', 'seq', 'cancel', 'worker', 'started', 'reply', 'msg', 'attempt'}
local out, ids, records, unanswered, seen = {}, {}, {}, {}, {}
-- Records are read first, so that only the runs without a result inbox (which publish their
-- event anyway) ask whether anyone listens: an awaited run costs no PUBSUB call. A key that comes
-- twice in one batch is read again after the first one's write.
for i = 3, #KEYS do
  if not seen[KEYS[i]] then
    seen[KEYS[i]] = true
    local r = redis.call('HMGET', KEYS[i], unpack(FIELDS))
    records[i] = r
    if not r[7] then unanswered[#unanswered + 1] = prefix .. ARGV[6 + (i - 3) * STRIDE + 3] end
  end
end
local listened = listened_channels(unanswered)
for i = 3, #KEYS do
  local runs = KEYS[i]
  local j = 6 + (i - 3) * STRIDE
  local id, gen, outcome, key = ARGV[j], ARGV[j + 1], ARGV[j + 2], ARGV[j + 3]
  local place = places[i - 2]
  if place then release_and_wake(ARGV[place + 1], ARGV[place + 2], id) end
  ids[#ids + 1] = id
  local r, heard = records[i], nil
  if r then heard = listened[prefix .. key] or false else r = redis.call('HMGET', runs, unpack(FIELDS)) end
  if r[1] == gen and r[2] == 'running' and r[8] == id and not count(r[3]) then
    poison_record(kprefix, runs, key, 'its seq is not a number', id, now, ttl)
    out[#out + 1] = 'quarantined'
  elseif r[1] == gen and r[2] == 'running' and r[8] == id then
    if r[4] == '1' then outcome = 'cancelled' end
    local seq = tonumber(r[3]) + 1
    if r[4] then redis.call('HDEL', runs, 'cancel') end
    if outcome == 'failed' and ARGV[j + 7] ~= '' then
      -- Tried again, as an add would be: queued when due, else scheduled. Only the run's own
      -- channel hears of it; it is not the end, so no result inbox does.
      local at, state = ARGV[j + 7], 'scheduled'
      if tonumber(at) <= now then
        state = 'queued'
        redis.call('HSET', runs, 'msg', redis.call('XADD', stream, '*', 'key', key, 'gen', gen))
      else
        redis.call('ZADD', queue, at, key)
        redis.call('HDEL', runs, 'msg')
      end
      local attempt = (tonumber(r[9]) or 1) + 1
      redis.call('HSET', runs, 'state', state, 'when', at, 'attempt', attempt, 'seq', seq,
        'sseq', seq, 'error', ARGV[j + 5], 'failure', ARGV[j + 6])
      -- Waiting is not running: no worker, no start time, until a worker claims the next attempt.
      redis.call('HDEL', runs, 'worker', 'started')
      if r[7] then heard = nil end
      publish_state(prefix .. key, key, seq, state, {when = tonumber(at), error = ARGV[j + 5], attempt = attempt}, nil, heard)
      out[#out + 1] = state
    else
      local extra = {completedAt = now, worker = r[5], startedAt = tonumber(r[6]), gen = tonumber(gen), attempt = tonumber(r[9]) or 1}
      -- An attempt before this one failed: its error is not this success's.
      if outcome == 'completed' and extra.attempt > 1 then redis.call('HDEL', runs, 'error', 'failure') end
      -- Small outcomes ride along in the event ('carried' says the whole outcome is there), so a
      -- waiting getResult() needs no extra read.
      local carried = 1
      if outcome == 'completed' and ARGV[j + 4] ~= '' then
        redis.call('HSET', runs, 'state', outcome, 'completed', ARGV[2], 'seq', seq, 'sseq', seq, 'result', ARGV[j + 4])
        if #ARGV[j + 4] <= 65536 then extra['result'] = ARGV[j + 4] else carried = nil end
      elseif outcome == 'failed' then
        redis.call('HSET', runs, 'state', outcome, 'completed', ARGV[2], 'seq', seq, 'sseq', seq,
          'error', ARGV[j + 5], 'failure', ARGV[j + 6])
        extra['error'] = ARGV[j + 5]
        if #ARGV[j + 6] <= 65536 then extra['failure'] = ARGV[j + 6] else carried = nil end
      else
        redis.call('HSET', runs, 'state', outcome, 'completed', ARGV[2], 'seq', seq, 'sseq', seq)
      end
      extra['carried'] = carried
      publish_state(prefix .. key, key, seq, outcome, extra, r[7], heard)
      local next_at = ARGV[j + 8]
      if next_at ~= '' and outcome ~= 'cancelled' then
        local task = redis.call('HMGET', runs, 'fn', 'args')
        redis.call('DEL', runs)
        local ngen, nseq, state = tonumber(gen) + 1, seq + 1, 'scheduled'
        if tonumber(next_at) <= now then
          state = 'queued'
          redis.call('HSET', runs, 'msg', redis.call('XADD', stream, '*', 'key', key, 'gen', ngen))
        else
          redis.call('ZADD', queue, next_at, key)
        end
        redis.call('HSET', runs, 'state', state, 'fn', task[1], 'args', task[2], 'when', next_at, 'gen', ngen, 'seq', nseq,
          'rec', ARGV[j + 9], 'lo', outcome, 'lt', now)
        publish_state(prefix .. key, key, nseq, state, {when = tonumber(next_at)})
      else
        finish_record(runs, ttl)
      end
      out[#out + 1] = outcome
    end
  else
    out[#out + 1] = 'superseded'
  end
end
for i = 1, #ids, 500 do
  local chunk = {unpack(ids, i, math.min(i + 499, #ids))}
  redis.call('XACK', stream, group, unpack(chunk))
  redis.call('XDEL', stream, unpack(chunk))
end
return out
`,
};
