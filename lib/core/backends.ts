/**
 * The one place that knows the store port's implementations: it picks a docket's backend by the
 * scheme of its URL. A new backend is added here and beside `redis/`, never in the engine.
 */
import { MemoryBackend } from './memory/memory-backend';
import { forgetSpace, isMemoryUrl } from './memory/memory-space';
import { RedisBackend } from './redis/redis-backend';
import type { Backend, BackendOptions } from './store';

/** Which dockets a Redis holds (for the CLI's "no such execution" answer); Redis-only. */
export { DISCOVERY_KEY_LIMIT, findDockets, type DocketsFound } from './redis/docket-discovery';

export { isMemoryUrl, forgetSpace as forgetMemorySpace };

/** The backend for `options.url` (`memory://…` in this process, else Redis); nothing is opened until a store is. */
export function openBackend(options: BackendOptions): Backend {
  return isMemoryUrl(options.url) ? new MemoryBackend(options) : new RedisBackend(options);
}
