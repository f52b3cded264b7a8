/**
 * Gives the suite a Redis: REDIS_URL when set, otherwise a private redis-server on a free
 * loopback port that global-teardown stops. Tests never flush a database they did not create.
 */
import { RedisServer } from './redis-server';

declare global {
  var __DOCKET_REDIS__: RedisServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  const server = await RedisServer.start();
  globalThis.__DOCKET_REDIS__ = server;
  process.env.REDIS_URL = server.url;
}
