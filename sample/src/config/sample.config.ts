/**
 * The sample's settings, read from the environment once, and provided under {@link SAMPLE_CONFIG}
 * so that tests can replace them.
 */

import { createConnection } from 'node:net';
import { DEFAULT_DOCKET_NAME, DEFAULT_DOCKET_URL } from 'nestjs-docket';

/** What the sample app needs to know about where it runs. */
export interface SampleConfig {
  /** REDIS_URL, default {@link DEFAULT_DOCKET_URL} (redis://127.0.0.1:6379/0, as the CLI's) */
  readonly redisUrl: string;
  /** DOCKET_NAME, default {@link DEFAULT_DOCKET_NAME} ('docket', as the CLI's) */
  readonly docketName: string;
  /** PORT, default 3000 */
  readonly port: number;
  /** DOCKET_WORKER=false makes an API-only process; by default the app runs a worker too. */
  readonly worker: boolean;
  /** DASHBOARD_ACTIONS=true lets the dashboard at /docket cancel, strike and restore; it is read-only by default. */
  readonly dashboardActions?: boolean;
  /** Set when REDIS_URL was not given and no Redis answered at the default address: the app runs on `memory://`. */
  readonly memoryBecause?: string;
}

/** The URL the sample falls back to: one in-process space, which other processes cannot see. */
export const SAMPLE_MEMORY_URL = 'memory://sample';

/** Whether a Redis answers PING at 127.0.0.1:6379 within `timeoutMs`. */
function defaultRedisAnswers(timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379 });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (reply) => done(reply.toString().startsWith('+PONG') || reply.toString().startsWith('-NOAUTH')));
  });
}

/**
 * The configuration, on `memory://` when REDIS_URL is unset and nothing answers at the default
 * Redis address, so that `npm start` works on a machine with no Redis. A REDIS_URL that is set
 * is used as given, and fails clearly if nothing answers there. `redisAnswers` asks the default
 * address (a TCP PING with a 500 ms limit).
 */
export async function sampleConfigWithFallback(env: NodeJS.ProcessEnv = process.env, redisAnswers = defaultRedisAnswers): Promise<SampleConfig> {
  const config = sampleConfigFromEnv(env);
  if (env.REDIS_URL !== undefined || (await redisAnswers())) return config;
  return { ...config, redisUrl: SAMPLE_MEMORY_URL, memoryBecause: `REDIS_URL is not set and no Redis answers at ${DEFAULT_DOCKET_URL}` };
}

/** The injection token of the {@link SampleConfig}. */
export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');

/** The configuration the environment describes. */
export function sampleConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SampleConfig {
  return {
    redisUrl: env.REDIS_URL ?? DEFAULT_DOCKET_URL,
    docketName: env.DOCKET_NAME ?? DEFAULT_DOCKET_NAME,
    port: Number(env.PORT ?? 3000),
    worker: env.DOCKET_WORKER !== 'false',
    dashboardActions: env.DASHBOARD_ACTIONS === 'true',
  };
}
