/**
 * The sample's settings, read from the environment once, and provided under {@link SAMPLE_CONFIG}
 * so that tests can replace them.
 */

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
  };
}
