/** A Lua script registered on a connection with ioredis `defineCommand` (EVALSHA + NOSCRIPT fallback). */
export interface ScriptDefinition {
  /** The command name it gets on the client and its pipelines. */
  readonly name: string;
  /** How many KEYS it takes; undefined when the caller passes the count first. */
  readonly numberOfKeys?: number;
  readonly lua: string;
}

/**
 * Lua helpers shared by the scripts.
 *
 * - `publish_state(channel, key, seq, state, extra)` publishes `{type:'state', key, seq, state,
 *   ...extra}` and returns the encoded message.
 * - `tell_waiter(reply, message)` also sends a terminal event to the result inbox of the process
 *   that added the execution (the record's `reply` field, when it has one). Terminal events carry
 *   the run's `gen`, so an inbox never mistakes one run under a key for another.
 */
export const LUA_PRELUDE = `
local function publish_state(channel, key, seq, state, extra)
  local ev = extra or {}
  ev['type'] = 'state'; ev['key'] = key; ev['seq'] = seq; ev['state'] = state
  local message = cjson.encode(ev)
  redis.call('PUBLISH', channel, message)
  return message
end
local function tell_waiter(reply, message)
  if reply then redis.call('PUBLISH', reply, message) end
end
local function finish_record(runs, ttl)
  if ttl > 0 then redis.call('PEXPIRE', runs, ttl) else redis.call('DEL', runs) end
end
`;
