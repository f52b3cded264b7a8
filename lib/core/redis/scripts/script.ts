/** A Lua script registered on a connection with ioredis `defineCommand` (EVALSHA + NOSCRIPT fallback). */
export interface ScriptDefinition {
  /** The command name it gets on the client and its pipelines. */
  readonly name: string;
  /** How many KEYS it takes; undefined when the caller passes the count first. */
  readonly numberOfKeys?: number;
  readonly lua: string;
}

/**
 * Lua helpers shared by the scripts: the state event every state change publishes.
 * `publish_state(channel, key, seq, state, extra)` encodes `{type:'state', key, seq, state, ...extra}`.
 */
export const LUA_PRELUDE = `
local function publish_state(channel, key, seq, state, extra)
  local ev = extra or {}
  ev['type'] = 'state'; ev['key'] = key; ev['seq'] = seq; ev['state'] = state
  redis.call('PUBLISH', channel, cjson.encode(ev))
end
local function finish_record(runs, ttl)
  if ttl > 0 then redis.call('PEXPIRE', runs, ttl) else redis.call('DEL', runs) end
end
`;
