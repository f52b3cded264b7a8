import type { ScriptDefinition } from './script';

/**
 * Deletes a lease only if its holder is still the caller.
 *
 * KEYS: 1 lease
 * ARGV: 1 holder
 * Reply: 1 when released, 0 when the lease had lapsed or passed to another holder
 */
export const releaseLeaseScript: ScriptDefinition = {
  name: 'docketReleaseLease',
  numberOfKeys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
};
