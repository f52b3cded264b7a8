/**
 * The sample's settings, read from the environment once, and provided under {@link SAMPLE_CONFIG}
 * so that tests can replace them.
 */

/** What the sample app needs to know about where it runs. */
export interface SampleConfig {
  /** REDIS_URL, default redis://127.0.0.1:6379/0 */
  readonly redisUrl: string;
  /** DOCKET_NAME, default 'docket' (the CLI's default too) */
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
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    docketName: env.DOCKET_NAME ?? 'docket',
    port: Number(env.PORT ?? 3000),
    worker: env.DOCKET_WORKER !== 'false',
  };
}
