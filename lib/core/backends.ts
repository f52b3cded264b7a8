/**
 * The one place that knows the store port's implementations: it picks a docket's backend by the
 * scheme of its URL. A new backend is added here and beside `redis/`, never in the engine.
 */
import { RedisBackend } from './redis/redis-backend';
import type { Backend, BackendOptions } from './store';

/** The backend for `options.url`; nothing is opened until a store is. */
export function openBackend(options: BackendOptions): Backend {
  return new RedisBackend(options);
}
